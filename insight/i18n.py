"""The string catalog: every UI text in English and 简体中文. Pages never hard-code text."""

from __future__ import annotations

from dataclasses import dataclass

from insight.i18n_import import IMPORT_CATALOG

LANGS = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"

CATALOG: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("Customer Insight", "客户洞察"),
    "app.language": ("Language · 语言", "语言 · Language"),
    "app.choose": ("Choose options", "请选择"),
    "app.filters": ("Filters", "筛选"),
    "app.from": ("From", "开始日期"),
    "app.to": ("To", "结束日期"),
    "app.cmp": ("Compare with", "对比"),
    "app.cmp.prev": ("Previous period", "上一周期（环比）"),
    "app.cmp.yoy": ("Same period last year", "去年同期（同比）"),
    "app.cmp.none": ("No comparison", "不对比"),
    "app.clear": ("Clear filters", "清除筛选"),
    "app.period": ("Period: {start} – {end}", "周期：{start} – {end}"),
    "app.period.none": ("No dated data yet", "暂无带日期的数据"),
    "app.version": ("Data version {version}", "数据版本 {version}"),
    "app.demo_created": (
        "A demo workspace was created so there is something to explore.",
        "已创建演示数据，便于浏览。",
    ),
    # pages
    "page.overview": ("Overview", "总览"),
    "page.channels": ("Channel mix", "渠道结构"),
    "page.segments": ("Segments", "客户分群"),
    "page.churn": ("Churn", "流失分析"),
    "page.complaints": ("Complaints & service", "投诉与服务"),
    "page.campaigns": ("Campaigns", "营销活动"),
    "page.customer": ("Customer", "客户视图"),
    "page.data": ("Data", "数据管理"),
    "page.coming": (
        "This page is being built. Its figures arrive with the next release; the filters above already apply.",
        "本页正在建设中，下一版本将提供图表；上方筛选已生效。",
    ),
    # empty states
    "empty.upload": ("Upload them on the Data page", "请在数据管理页上传"),
    # dimensions
    "dim.region": ("Region", "地区"),
    "dim.segment": ("Segment", "客户类型"),
    "dim.tier": ("Value tier", "价值等级"),
    "dim.rfm": ("RFM segment", "RFM 分群"),
    "dim.channel": ("Channel", "渠道"),
    "dim.category": ("Category", "类别"),
    "dim.product": ("Product", "产品"),
    "dim.campaign": ("Campaign", "营销活动"),
    # metrics
    "metric.revenue": ("Revenue", "收入"),
    "metric.revenue.def": (
        "Sum of amount of orders in the period, excluding cancelled and returned orders.",
        "周期内订单金额之和，不含取消和退货订单。",
    ),
    "metric.orders": ("Orders", "订单数"),
    "metric.orders.def": (
        "Count of non-cancelled, non-returned orders in the period.",
        "周期内未取消、未退货的订单数。",
    ),
    "metric.aov": ("Average order value", "客单价"),
    "metric.aov.def": ("Revenue / orders.", "收入 ÷ 订单数。"),
    "metric.active_customers": ("Active customers", "活跃客户"),
    "metric.active_customers.def": (
        "Distinct customers with at least one order in the period.",
        "周期内至少下过一单的客户数。",
    ),
    "metric.customers": ("Customers", "客户数"),
    "metric.customers.def": ("Distinct customers in scope.", "范围内的客户总数。"),
    "metric.churned_customers": ("Churned customers", "流失客户"),
    "metric.churned_customers.def": ("Customers flagged as churned.", "标记为流失的客户数。"),
    "metric.churn_rate": ("Churn rate", "流失率"),
    "metric.churn_rate.def": (
        "Explicit flag: churned customers / customers in scope. Behavioural (no order for N days): "
        "lapses in a month / customers active at its start, pooled over the period's complete months.",
        "按流失标志：流失客户 ÷ 范围内客户。按行为（N 天无订单）：当月流失 ÷ 月初活跃客户，按周期内已完结的月份汇总。",
    ),
    "metric.complaints": ("Complaints", "投诉量"),
    "metric.complaints.def": ("Tickets that are complaints, created in the period.", "周期内创建的投诉工单数。"),
    "metric.complaint_rate": ("Complaints per 1,000 customers", "千客投诉率"),
    "metric.complaint_rate.def": ("Complaints per 1,000 customers in scope.", "每千名客户的投诉量。"),
    "metric.on_time_rate": ("On-time rate", "及时率"),
    "metric.on_time_rate.def": (
        "Resolved tickets resolved by their due time (due_at, else the SLA hours of their priority).",
        "在时限内办结的工单占已办结工单的比例（有 due_at 按其计，否则按优先级时限）。",
    ),
    "metric.fcr_rate": ("First-contact resolution", "一次解决率"),
    "metric.fcr_rate.def": ("Share of tickets resolved at first contact.", "首次接触即解决的工单占比。"),
    "metric.csat": ("CSAT", "满意度"),
    "metric.csat.def": ("Mean satisfaction score of rated tickets.", "已评价工单的平均满意度。"),
    "metric.csat_satisfied_share": ("Satisfied share", "满意占比"),
    "metric.csat_satisfied_share.def": (
        "Share of ratings ≥ 4 of 5 (≥ 8 of 10).",
        "评分 ≥4（五分制）或 ≥8（十分制）的占比。",
    ),
    # overview
    "overview.trend": ("Revenue and active customers", "收入与活跃客户趋势"),
    "overview.current": ("Current", "本期"),
    "overview.comparison": ("Comparison", "对比期"),
    # data page
    "data.title": ("Data", "数据管理"),
    "data.upload": ("1 · Choose a file", "1 · 选择文件"),
    "data.upload.help": (
        "CSV, TSV, TXT, Excel, Parquet or JSON; UTF-8, GBK/GB18030, UTF-16 or Latin-1.",
        "支持 CSV、TSV、TXT、Excel、Parquet、JSON；编码支持 UTF-8、GBK/GB18030、UTF-16、Latin-1。",
    ),
    "data.table": ("Import as", "导入为"),
    "data.sheet": ("Sheet", "工作表"),
    "data.preview": ("2 · Preview (first 50 rows as read)", "2 · 预览（前 50 行）"),
    "data.read_as": (
        "Read as {kind}, encoding {encoding}, delimiter {delimiter}, header {header}, "
        "{skipped} line(s) skipped above the table.",
        "识别为 {kind}，编码 {encoding}，分隔符 {delimiter}，表头 {header}，表头上方跳过 {skipped} 行。",
    ),
    "data.mapping": ("3 · Map columns", "3 · 字段映射"),
    "data.mapping.help": (
        "Required columns are marked *. Unmapped columns are kept as extra attributes.",
        "带 * 的为必填字段。未映射的列将作为附加属性保留。",
    ),
    "data.template_used": ("A saved mapping for these headers was applied.", "已套用该表头的已保存映射。"),
    "data.unmapped": ("(not in file)", "（不映射）"),
    "data.validate": ("4 · Validate", "4 · 校验"),
    "data.rows_read": ("Rows read", "读取行数"),
    "data.rows_to_load": ("Rows to load", "可导入行数"),
    "data.rows_rejected": ("Rows rejected", "拒绝行数"),
    "data.duplicates": ("Duplicate rows", "重复行"),
    "data.rejects_download": ("Download all rejected rows (CSV)", "下载全部被拒绝的行（CSV）"),
    "data.mode": ("Mode", "导入方式"),
    "data.mode.replace": ("Replace the table", "替换整表"),
    "data.mode.append": ("Append to the table", "追加到表"),
    "data.import": ("5 · Import", "5 · 导入"),
    "data.import.button": ("Import {rows} rows into {table}", "导入 {rows} 行到 {table}"),
    "data.imported": (
        "Imported {rows} rows into {table} (version {version}).",
        "已导入 {rows} 行到 {table}（版本 {version}）。",
    ),
    "data.datasets": ("Datasets", "数据集"),
    "data.none": ("No datasets yet: upload a file above.", "暂无数据集，请在上方上传文件。"),
    "data.delete": ("Delete a table", "删除数据表"),
    "data.delete.confirm": ("Type the table name to confirm", "输入表名以确认"),
    "data.delete.button": ("Delete", "删除"),
    "data.history": ("Import history", "导入历史"),
    "data.step.reading": ("Reading the file", "正在读取文件"),
    "data.step.checking types": ("Checking types", "正在校验类型"),
    "data.step.checking duplicates": ("Checking duplicates", "正在检查重复"),
    "data.step.publishing": ("Publishing the new version", "正在发布新版本"),
    "data.step.building facts": ("Building what the pages read", "正在生成页面所需的数据"),
    "data.step.done": ("Done", "完成"),
    "data.col.table": ("Table", "数据表"),
    "data.col.rows": ("Rows", "行数"),
    "data.col.version": ("Version", "版本"),
    "data.col.imported_at": ("Imported at", "导入时间"),
    "data.col.source_file": ("Source file", "来源文件"),
    "data.col.mode": ("Mode", "方式"),
    "table.customers": ("customers", "客户"),
    "table.orders": ("orders", "订单"),
    "table.tickets": ("tickets", "工单"),
    "table.campaigns": ("campaigns", "营销活动"),
    "table.contacts": ("contacts", "活动触达"),
    "table.segments": ("ranked customers", "排名客户"),
    # drill, share, rows
    "drill.active": ("Active filters", "当前筛选"),
    "drill.remove": ("Remove this filter", "移除此筛选"),
    "drill.hint": ("Click a bar, point or cell to drill into it.", "点击柱、点或格子即可下钻。"),
    "app.period.short": ("Period", "周期"),
    "share.copy": ("Copy link", "复制链接"),
    "share.help": (
        "This link reopens exactly this view, pinned to the current data version. Use the copy button.",
        "此链接可原样打开当前视图（固定为当前数据版本）。点击复制按钮即可。",
    ),
    "rows.title": ("View rows ({table})", "查看明细（{table}）"),
    "rows.sort": ("Sort by", "排序字段"),
    "rows.descending": ("Descending", "降序"),
    "rows.page_size": ("Rows per page", "每页行数"),
    "rows.page": ("Page", "页码"),
    "rows.count": ("{total} rows · page {page} of {pages}", "共 {total} 行 · 第 {page}/{pages} 页"),
    "rows.csv": ("Export CSV", "导出 CSV"),
    "rows.xlsx": ("Export Excel", "导出 Excel"),
    # overview
    "overview.moved": ("What moved", "变化来源"),
    "overview.moved.help": (
        "The change against the comparison period, split by dimension; the parts add up to the total change.",
        "相对对比期的变化按维度拆分，各部分之和等于总变化。",
    ),
    "overview.moved_chart": ("{metric}: change by {dim}", "{metric}：按{dim}拆分的变化"),
    "overview.moved.metric": ("Metric", "指标"),
    "overview.moved.dim": ("Split by", "拆分维度"),
    "overview.moved.none": ("Choose a comparison period to see what moved.", "请选择对比期以查看变化来源。"),
    "overview.col.value": ("Value", "取值"),
    "overview.col.current": ("Current", "本期"),
    "overview.col.previous": ("Comparison", "对比期"),
    "overview.col.change": ("Change", "变化"),
    "overview.col.share_of_change": ("Share of change", "占总变化"),
    "overview.alerts": ("Alerts", "预警"),
    "overview.alerts.none": ("No alerts for this view.", "当前视图无预警。"),
    "alert.overdue": (
        "{count} open complaint work orders are past their time limit as of {as_of} (oldest {hours:,.0f} h overdue).",
        "截至 {as_of}，{count} 张投诉工单已超期未办结（最久超期 {hours:,.0f} 小时）。",
    ),
    "alert.churn_spike": (
        "Churn spike: {churned} customers churned in {month}, above the usual {threshold:,.0f}.",
        "流失激增：{month} 流失 {churned} 名客户，高于常态上限 {threshold:,.0f}。",
    ),
    "alert.channel_shift": (
        "{channel}'s revenue share moved {change:+.1f} pts ({previous:.1%} → {current:.1%}).",
        "{channel} 的收入占比变化 {change:+.1f} 个百分点（{previous:.1%} → {current:.1%}）。",
    ),
    "overview.overdue": ("Overdue work orders (超期预警)", "超期工单"),
    # channels
    "channels.measure": ("Measure", "度量"),
    "channels.share": ("Show as 100 % share", "按占比显示"),
    "channels.over_time": ("{measure} by channel", "各渠道{measure}"),
    "channels.heat_region": ("Revenue: channel × region", "收入：渠道 × 地区"),
    "channels.heat_segment": ("Revenue: channel × segment", "收入：渠道 × 客户类型"),
    "channels.acquisition": ("New customers by first channel", "新客首单渠道"),
    "channels.migration": ("Channel migration: first channel → latest channel", "渠道迁移：首单渠道 → 最近渠道"),
    "channels.service": ("Service channels: tickets, CSAT and on-time rate", "服务渠道：工单量、满意度与及时率"),
    "channels.roles": ("Channel roles by customer stage", "各渠道在客户阶段中的作用"),
    "channels.roles.help": (
        "Share of each stage per channel: acquire = new customers' first orders; care = service tickets; "
        "develop = revenue from existing customers; retain = orders of customers kept from the comparison period.",
        "各阶段的渠道占比：获客 = 新客首单；服务 = 服务工单；发展 = 老客收入；保有 = 对比期留存客户的订单。",
    ),
    "role.acquire": ("Acquire", "获客"),
    "role.care": ("Care", "服务"),
    "role.develop": ("Develop", "发展"),
    "role.retain": ("Retain", "保有"),
    "measure.revenue": ("Revenue", "收入"),
    "measure.orders": ("Orders", "订单数"),
    "measure.customers": ("Customers", "客户数"),
    "col.channel": ("Channel", "渠道"),
    "col.tickets": ("Tickets", "工单量"),
    # segments: metrics
    "metric.segment_customers": ("Ranked customers", "排名客户数"),
    "metric.segment_customers.def": (
        "Customers with at least one counted order in the period: the customers that RFM and tiers rank. A channel, "
        "category or product filter picks the customers who ever ordered through it (not their orders), so this "
        "can differ from Active customers on the Overview, which counts customers by the filtered orders.",
        "周期内至少有一笔有效订单的客户，即参与 RFM 与价值等级排名的客户。渠道、类别或产品筛选选取的是"
        "曾经通过它们下单的客户（而非订单），因此可能与总览页按筛选后订单计数的“活跃客户”不同。",
    ),
    "metric.segment_revenue": ("Revenue of ranked customers", "已排名客户收入"),
    "metric.segment_revenue.def": (
        "All revenue in the period of the customers ranked (orders without a customer are left out). A channel, "
        "category or product filter picks customers, not orders, so this can exceed Revenue on the Overview, which "
        "sums the filtered orders only.",
        "参与排名客户在周期内的全部收入（无客户编号的订单不计入）。渠道、类别或产品筛选选取的是客户而非订单，"
        "因此可能高于总览页只汇总筛选后订单的“收入”。",
    ),
    "metric.pareto_top20_share": ("Top 20 % share", "前 20% 客户贡献"),
    "metric.pareto_top20_share.def": (
        "Revenue share of the top 20 % of customers ranked by revenue in the period (the 80/20 rule).",
        "按周期收入排名前 20% 的客户贡献的收入占比（二八法则）。",
    ),
    "metric.diamond_share": ("Diamond revenue share", "钻石客户收入占比"),
    "metric.diamond_share.def": ("Revenue share of Diamond customers.", "钻石等级客户的收入占比。"),
    "metric.gold_share": ("Gold revenue share", "金卡客户收入占比"),
    "metric.gold_share.def": ("Revenue share of Gold customers.", "金卡等级客户的收入占比。"),
    "metric.silver_share": ("Silver revenue share", "银卡客户收入占比"),
    "metric.silver_share.def": ("Revenue share of Silver customers.", "银卡等级客户的收入占比。"),
    "metric.basic_share": ("Basic revenue share", "基础客户收入占比"),
    "metric.basic_share.def": ("Revenue share of Basic customers.", "基础等级客户的收入占比。"),
    "metric.customer_equity": ("Customer equity", "客户资产"),
    "metric.customer_equity.def": (
        "Sum of the customer lifetime value (CLV) of the active customers; the formula is on the CLV tab.",
        "活跃客户的客户终身价值（CLV）之和；公式见“客户终身价值”页签。",
    ),
    # segments: codes
    "tier.diamond": ("Diamond", "钻石"),
    "tier.gold": ("Gold", "金卡"),
    "tier.silver": ("Silver", "银卡"),
    "tier.basic": ("Basic", "基础"),
    "rfm.champions": ("Champions", "重要价值客户"),
    "rfm.loyal": ("Loyal", "忠诚客户"),
    "rfm.potential_loyalist": ("Potential Loyalist", "潜力客户"),
    "rfm.new": ("New", "新客户"),
    "rfm.promising": ("Promising", "有希望客户"),
    "rfm.need_attention": ("Need Attention", "需关注客户"),
    "rfm.about_to_sleep": ("About to Sleep", "即将沉睡客户"),
    "rfm.at_risk": ("At Risk", "流失风险客户"),
    "rfm.cant_lose": ("Can't Lose", "不能失去的客户"),
    "rfm.hibernating": ("Hibernating", "沉睡客户"),
    "rfm.lost": ("Lost", "已流失客户"),
    "rfm.inactive": ("No order in the period", "周期内无订单"),
    "action.champions": (
        "Reward them: early access, VIP service and referral asks.",
        "给予回馈：新品优先体验、VIP 专属服务，并邀请推荐。",
    ),
    "action.loyal": (
        "Upsell higher-value products; invite them to the loyalty programme.",
        "推荐更高价值的产品，邀请加入会员计划。",
    ),
    "action.potential_loyalist": (
        "Offer membership or a bundle to turn them into regulars.",
        "提供会员或组合优惠，促成持续购买。",
    ),
    "action.new": ("Onboard well: a welcome series and a first-repeat offer.", "做好新客引导：欢迎礼与复购优惠。"),
    "action.promising": ("Build the habit: a time-limited offer on a second order.", "培养习惯：限时二次购买优惠。"),
    "action.need_attention": (
        "Reach out with a personal, limited-time offer before they drift.",
        "主动联系，提供个性化限时优惠，防止疏远。",
    ),
    "action.about_to_sleep": (
        "Reactivate with popular products and a reminder.",
        "以热销产品与提醒进行唤醒。",
    ),
    "action.at_risk": (
        "Win-back offer through the account manager; ask what went wrong.",
        "由客户经理提供挽回优惠，并了解不满原因。",
    ),
    "action.cant_lose": (
        "Call them now: a senior contact and a tailored retention offer.",
        "立即致电：由资深人员跟进，提供定制维系方案。",
    ),
    "action.hibernating": (
        "Low-cost reactivation (email/SMS); do not over-spend.",
        "以低成本方式唤醒（邮件/短信），控制投入。",
    ),
    "action.lost": (
        "Try one last win-back campaign, then stop spending.",
        "尝试最后一次挽回活动，之后停止投入。",
    ),
    "cluster.word.lapsed": ("lapsed", "久未购买"),
    "cluster.word.recent": ("recent", "近期活跃"),
    "cluster.word.frequent": ("frequent", "高频"),
    "cluster.word.occasional": ("occasional", "低频"),
    "cluster.word.high_value": ("high value", "高价值"),
    "cluster.word.low_value": ("low value", "低价值"),
    "cluster.word.long_standing": ("long-standing", "老客户"),
    "cluster.word.newer": ("newer", "较新客户"),
    "cluster.word.complaining": ("complains often", "投诉较多"),
    "cluster.word.satisfied": ("satisfied", "满意度高"),
    "cluster.word.dissatisfied": ("dissatisfied", "满意度低"),
    "cluster.word.channel_first": ("{channel}-first", "{channel}为主"),
    "cluster.word.typical": ("typical", "普通"),
    # segments page
    "seg.section": ("Section", "分析视角"),
    "seg.tab.rfm": ("RFM", "RFM 分群"),
    "seg.tab.movement": ("Movement", "分群迁移"),
    "seg.tab.tiers": ("Value tiers", "价值等级"),
    "seg.tab.clusters": ("Clusters", "聚类"),
    "seg.tab.clv": ("Lifetime value", "客户终身价值"),
    "seg.definition": (
        "RFM as of {as_of}: R = days since the last order, F = orders, M = revenue in the period, each scored "
        "1–5 by quintile (tied customers share a score). Segments come from the R and F scores.",
        "以 {as_of} 为基准：R = 距最近一次下单天数，F = 周期内订单数，M = 周期内收入，各按五分位打 1–5 分"
        "（并列客户同分）。分群由 R 与 F 得分决定。",
    ),
    "seg.by_segment": ("Customers by RFM segment", "各 RFM 分群客户数"),
    "seg.grid": ("R × F grid ({measure})", "R × F 网格（{measure}）"),
    "seg.grid.revenue": ("Show revenue", "显示收入"),
    "seg.grid.hint": (
        "Click a segment bar to filter every page to it; click a grid cell to list its customers.",
        "点击分群柱可将所有页面筛选到该分群；点击网格格子可列出其中的客户。",
    ),
    "seg.r": ("R score (recency)", "R 得分（最近购买）"),
    "seg.f": ("F score (frequency)", "F 得分（购买频次）"),
    "seg.moves": ("From the comparison period (rows) to now (columns)", "从对比周期（行）到当前周期（列）"),
    "seg.moves.none": (
        "Choose a comparison period in the sidebar to see how customers moved between segments.",
        "请在侧栏选择对比周期，以查看客户在分群间的迁移。",
    ),
    "seg.moves.hint": ("Click a cell to list the customers who made that move.", "点击格子可列出发生该迁移的客户。"),
    "seg.tiers.cutoffs": ("Tier cut-offs (cumulative % of customers)", "等级分界（客户累计占比 %）"),
    "seg.tiers.apply": ("Apply cut-offs", "应用分界"),
    "seg.tiers.by": ("Revenue by value tier", "各价值等级收入"),
    "seg.pareto": ("Pareto curve: customers ranked by revenue", "帕累托曲线：按收入排名的客户"),
    "seg.pareto.x": ("Share of customers", "客户累计占比"),
    "seg.pareto.y": ("Share of revenue", "收入累计占比"),
    "seg.pareto.point": ("Top 20 % → {share}", "前 20% → {share}"),
    "seg.churn.explicit": (
        "Churn: the customers' own churned flag ({known} of {ranked} ranked customers have one; the rest are left "
        "out of the tier churn).",
        "流失：依据客户表的流失标记（{ranked} 名排名客户中 {known} 名有该标记，其余不计入等级流失率）。",
    ),
    "seg.churn.lapsed": (
        "Churn: no order in the last {days} days of the period (no churned flag for these {ranked} customers).",
        "流失：周期最后 {days} 天内无订单（这 {ranked} 名客户没有流失标记）。",
    ),
    "seg.given": ("Tier in the customers table against the computed tier", "客户表中的等级与计算等级对照"),
    "seg.k": ("Number of clusters", "聚类数"),
    "seg.k.auto": ("Best by silhouette", "按轮廓系数自动选择"),
    "seg.k.chosen": ("k = {k}, chosen by silhouette ({score}).", "k = {k}，按轮廓系数选定（{score}）。"),
    "seg.k.user": ("k = {k}, set by you (silhouette {score}).", "k = {k}，由您设定（轮廓系数 {score}）。"),
    "seg.clusters.none": ("Too few customers to cluster.", "客户太少，无法聚类。"),
    "seg.clusters.profile": ("Cluster profiles", "聚类画像"),
    "seg.clusters.map": ("Customers on their two main components", "客户在两个主成分上的分布"),
    "seg.clusters.silhouette": ("Silhouette by k", "各 k 值的轮廓系数"),
    "seg.clusters.hint": ("Click a cluster to list its customers.", "点击聚类可列出其中的客户。"),
    "seg.clv.formula": (
        "CLV = margin × (revenue to date + revenue of the last 12 months × r ÷ (1 + d − r))",
        "CLV = 毛利率 × (累计收入 + 近 12 个月收入 × r ÷ (1 + d − r))",
    ),
    "seg.clv.inputs": (
        "margin = {margin} · r (yearly retention, measured) = {retention} · d (discount rate) = {discount} · "
        "expected further years = {years}",
        "毛利率 = {margin} · r（实测年留存率）= {retention} · d（折现率）= {discount} · 预期后续年数 = {years}",
    ),
    "seg.clv.no_retention": (
        "The data does not reach two years back, so r cannot be measured: CLV is the margin on revenue to date.",
        "数据不足两年，无法测算留存率 r：CLV 仅为累计收入的毛利。",
    ),
    "seg.clv.margin": ("Margin %", "毛利率 %"),
    "seg.clv.by_segment": ("Customer equity by RFM segment", "各 RFM 分群的客户资产"),
    "seg.clv.by_tier": ("Customer equity by value tier", "各价值等级的客户资产"),
    "seg.members": ("Customers: {group}", "客户名单：{group}"),
    "seg.members.pick": ("List the customers of", "列出客户名单"),
    "seg.members.none": ("Choose a group", "请选择分组"),
    "seg.members.count": ("{count} customers (the first {shown} shown)", "共 {count} 位客户（显示前 {shown} 位）"),
    "seg.members.attrs": ("Add customer attributes", "添加客户属性"),
    "seg.members.cell": ("R {r} · F {f}", "R {r} · F {f}"),
    "seg.members.move": ("{source} → {target}", "{source} → {target}"),
    "seg.members.cluster": ("Cluster {n}", "聚类 {n}"),
    "seg.members.csv": ("Download target list (CSV)", "下载目标名单（CSV）"),
    "seg.members.xlsx": ("Download target list (Excel)", "下载目标名单（Excel）"),
    "seg.no_customers": (
        "Segments need orders with a customer ID and a date: map customer_id on the Data page.",
        "客户分群需要带客户编号和日期的订单：请在数据管理页映射 customer_id。",
    ),
    "col.rfm": ("RFM segment", "RFM 分群"),
    "col.tier": ("Value tier", "价值等级"),
    "col.customers": ("Customers", "客户数"),
    "col.customer_share": ("Customer share", "客户占比"),
    "col.revenue": ("Revenue", "收入"),
    "col.revenue_share": ("Revenue share", "收入占比"),
    "col.recency_days": ("Median days since last order", "距最近下单天数（中位数）"),
    "col.frequency": ("Orders per customer", "人均订单数"),
    "col.monetary": ("Revenue per customer", "人均收入"),
    "col.equity": ("Customer equity", "客户资产"),
    "col.avg_clv": ("Average CLV", "平均 CLV"),
    "col.action": ("Recommended action", "建议动作"),
    "col.orders": ("Orders", "订单数"),
    "col.complaints": ("Complaints", "投诉量"),
    "col.complaints_per_1000": ("Complaints per 1,000", "每千客户投诉量"),
    "col.churn_rate": ("Churn rate", "流失率"),
    "col.cluster": ("Cluster", "聚类"),
    "col.name": ("Name", "名称"),
    "col.tenure_days": ("Tenure (days)", "客户年龄（天）"),
    "col.csat": ("CSAT", "满意度"),
    "col.given_tier": ("Given tier", "原有等级"),
    "col.clv": ("CLV", "CLV"),
    "customer.segments": ("Segment and value", "分群与价值"),
    "customer.inactive": (
        "No order in this period: no RFM segment or tier.",
        "本周期内无订单：无 RFM 分群与价值等级。",
    ),
    # customer page
    "customer.pick": ("Customer ID", "客户编号"),
    "customer.none": ("Open a customer from View rows, or type an ID.", "请从明细中打开客户，或输入客户编号。"),
    "customer.not_found": ("No customer {id} in this workspace.", "工作区中没有客户 {id}。"),
    "customer.orders": ("Orders timeline", "订单时间线"),
    "customer.tickets": ("Tickets", "工单"),
    "customer.revenue": ("Revenue, all time", "累计收入"),
    "customer.orders_all": ("Orders, all time", "累计订单数"),
    "customer.tickets_all": ("Tickets, all time", "累计工单数"),
    "customer.csat": ("CSAT of their tickets", "其工单满意度"),
    "customer.profile": ("Profile", "客户档案"),
    # churn
    "metric.churn_base": ("Churn base", "流失基数"),
    "metric.churn_base.def": (
        "The churn rate's denominator: customers in scope (explicit), or customer-months active at a month start "
        "(behavioural).",
        "流失率的分母：范围内客户（按标志），或月初活跃的客户·月（按行为）。",
    ),
    "metric.retention_m3": ("Month-3 retention", "第 3 月留存率"),
    "metric.retention_m3.def": (
        "Share of the period's first-order cohorts with an order in the third month after their first.",
        "本周期首单客群中，在首单后第 3 个月仍有订单的比例。",
    ),
    "metric.complaint_churn_gap": ("Complainers' extra churn", "投诉客户流失差"),
    "metric.complaint_churn_gap.def": (
        "Churn of customers who complained in the 90 days before the cutoff minus churn of those who did not.",
        "截止日前 90 天内投诉过的客户流失率减去未投诉客户的流失率。",
    ),
    "churn.section": ("Section", "分析视角"),
    "churn.tab.trend": ("Trend", "流失趋势"),
    "churn.tab.attribute": ("By attribute", "分维度流失"),
    "churn.tab.cohorts": ("Cohorts", "留存队列"),
    "churn.tab.survival": ("Survival", "生存分析"),
    "churn.tab.risk": ("Risk model", "流失预警"),
    "churn.def.label": ("Churn definition", "流失口径"),
    "churn.def.explicit": ("Churned flag", "流失标志"),
    "churn.def.behavioural": ("No order for N days", "N 天无订单"),
    "churn.days": ("N (days without an order)", "N（无订单天数）"),
    "churn.why.flag": (
        "Explicit churn: the customers table has a churned flag, so it is used.",
        "按流失标志：客户表含流失标志，因此采用该标志。",
    ),
    "churn.why.no_flag": (
        "Behavioural churn: there is no churned flag, so a customer who has not ordered for {days} days counts as "
        "churned.",
        "按行为判定：数据没有流失标志，客户连续 {days} 天无订单即视为流失。",
    ),
    "churn.why.user": (
        "Behavioural churn, as chosen: a customer who has not ordered for {days} days counts as churned, although "
        "the data has a churned flag.",
        "已选择按行为判定：客户连续 {days} 天无订单即视为流失（数据另有流失标志）。",
    ),
    "churn.why.undated": (
        "The flag has no churn dates: there is no monthly trend, and the model uses a stratified split.",
        "流失标志没有流失日期：无法给出月度趋势，模型采用分层抽样划分。",
    ),
    "churn.trend": ("Monthly churn rate", "月度流失率"),
    "churn.trend.current": ("This period", "本期"),
    "churn.trend.provisional": ("Provisional", "暂定"),
    "churn.trend.compare": ("Comparison period", "对比期"),
    "churn.trend.none": (
        "No monthly trend: this churn has no dates. Behavioural churn (from orders) has one.",
        "无月度趋势：该流失口径没有日期。按行为判定（基于订单）可提供趋势。",
    ),
    "churn.trend.hint": ("Click a month to make it the period.", "点击某月可将其设为周期。"),
    "churn.trend.provisional.hint": (
        "Dotted, hollow points are provisional: the month ends after the data, so some of its lapses cannot be seen "
        "yet.",
        "虚线空心点为暂定：该月在数据截止后才结束，部分流失尚无法观测。",
    ),
    "churn.survival.not_reached": ("not reached", "未达到"),
    "churn.blank": ("(blank)", "（空白）"),
    "churn.attr.channel": ("First-order channel", "首单渠道"),
    "churn.by": ("Churn by {attribute}", "按{attribute}的流失率"),
    "churn.by.pick": ("Break churn down by", "分析维度"),
    "churn.by.small": (
        "Bars: the rate with its 95 % Wilson interval. Grey: fewer than {n}, too few to rank, so listed last.",
        "条形为流失率及其 95% Wilson 置信区间。灰色：样本少于 {n}，不参与排名，排在最后。",
    ),
    "churn.by.months": (
        "Behavioural churn: counts are customer-months active at a month start, pooled over the period's complete "
        "months.",
        "按行为判定：计数为月初活跃的客户·月，按周期内已完结的月份汇总。",
    ),
    "churn.by.drill": ("Click a bar to filter every page to it.", "点击条形可将所有页面筛选到该值。"),
    "churn.versus": ("Complaints and churn", "投诉与流失"),
    "churn.versus.text": (
        "Customers still here on {cutoff}: those who complained in the 90 days before churned at {a}, the others at "
        "{b}. Difference {diff} (95 % interval {low} to {high}).",
        "截至 {cutoff} 仍在网的客户：此前 90 天内投诉过的客户流失率为 {a}，其余客户为 {b}。"
        "差值 {diff}（95% 置信区间 {low} 至 {high}）。",
    ),
    "churn.versus.none": (
        "No comparison on {cutoff}: it needs customers still here who complained in the 90 days before and "
        "customers who did not.",
        "{cutoff} 无法比较：需要截止日仍在、且此前 90 天内投诉过与未投诉过的客户。",
    ),
    "churn.versus.complained": ("Complained", "投诉过"),
    "churn.versus.not_complained": ("Did not complain", "未投诉"),
    "churn.versus.difference": ("Difference", "差值"),
    "churn.cohorts": ("Cohort retention: {measure}", "队列留存：{measure}"),
    "churn.ret.label": ("Measure", "口径"),
    "churn.ret.customers": ("Customers retained", "客户留存"),
    "churn.ret.revenue": ("Revenue retained", "收入留存"),
    "churn.cohorts.masked": (
        "Rows: month of first order. Columns: months since. Empty cells are months that have not ended yet.",
        "行：首单月份；列：首单后第几个月。空白格为尚未结束的月份。",
    ),
    "churn.cohorts.pick": ("Cohorts to compare", "对比的队列"),
    "churn.cohorts.curves": ("Retention curves", "留存曲线"),
    "churn.cohorts.average": ("All cohorts", "全部队列"),
    "churn.cohorts.none": ("No cohorts: they need orders with a customer_id.", "无队列：需要带客户编号的订单。"),
    "churn.survival": ("Survival (Kaplan–Meier)", "生存曲线（Kaplan–Meier）"),
    "churn.survival.split": ("Split by", "分组"),
    "churn.survival.all": ("(no split)", "（不分组）"),
    "churn.survival.x.months": ("Months", "月"),
    "churn.survival.x.days": ("Days since first order", "首单后天数"),
    "churn.survival.basis.tenure": ("Time: the tenure column (months).", "时间：在网时长字段（月）。"),
    "churn.survival.basis.dates": (
        "Time: from signup to churn date, or to the data end.",
        "时间：从注册到流失日期或数据截止日。",
    ),
    "churn.survival.basis.orders": (
        "Time: from the first order to the first lapse ({days} days without an order), or to the data end.",
        "时间：从首单到首次流失（{days} 天无订单），或到数据截止日。",
    ),
    "churn.survival.logrank": ("Log-rank test across the groups: p = {p}.", "组间 Log-rank 检验：p = {p}。"),
    "churn.survival.none": (
        "No survival curve: it needs a tenure column, signup and churn dates, or orders.",
        "无生存曲线：需要在网时长、注册与流失日期或订单数据。",
    ),
    "churn.model.training": ("Training the churn-risk model…", "正在训练流失预警模型…"),
    "churn.model.stage.features": ("Building features", "构建特征"),
    "churn.model.stage.fit": ("Fitting", "拟合模型"),
    "churn.model.stage.evaluate": ("Evaluating on held-out data", "留出集评估"),
    "churn.model.stage.importance": ("Measuring drivers", "计算驱动因素"),
    "churn.model.stage.score": ("Scoring customers", "客户评分"),
    "churn.model.stage.done": ("Done", "完成"),
    "churn.model.temporal": (
        "Predicts churn in the {days} days after a cutoff from history up to it. Trained on cutoffs {train}; "
        "evaluated on the later cutoff {eval}, whose outcomes it never saw; scores the customers still here on "
        "{as_of}.",
        "根据截止日之前的历史预测其后 {days} 天内的流失。训练截止日：{train}；在更晚的截止日 {eval} 上评估"
        "（模型从未见过其结果）；对截至 {as_of} 仍在网的客户评分。",
    ),
    "churn.model.snapshot": (
        "Snapshot data (a churned flag without dates): customer attributes only, evaluated on a stratified "
        "25 % held out.",
        "快照数据（只有流失标志、没有日期）：仅用客户属性，在分层抽取的 25% 留出集上评估。",
    ),
    "churn.model.scores": (
        "Held out: ROC AUC {auc} against {base} for the majority class and {rule} for the best one-feature rule "
        "({feature}); PR AUC {pr} against {base_pr} and {rule_pr}.",
        "留出集：ROC AUC {auc}，多数类基线 {base}，最佳单特征规则（{feature}）{rule}；"
        "PR AUC {pr}，基线 {base_pr} 与 {rule_pr}。",
    ),
    "churn.model.calibration": ("Calibration (held out)", "校准曲线（留出集）"),
    "churn.model.perfect": ("Perfect calibration", "理想校准"),
    "churn.model.observed": ("Observed churn", "实际流失率"),
    "churn.model.predicted": ("Predicted risk", "预测风险"),
    "churn.model.importance": ("Drivers (permutation importance, ROC AUC drop)", "驱动因素（置换重要性，AUC 降幅）"),
    "churn.model.refused": ("Refused by the leakage guard", "被防泄漏检查拒绝的特征"),
    "churn.model.none": (
        "No model: it needs churned and non-churned customers to learn from.",
        "无法建模：需要同时有流失与未流失的客户。",
    ),
    "churn.risk.list": ("At-risk customers (维系挽留)", "高危客户（维系挽留）"),
    "churn.risk.count": (
        "{count} customers still here, ranked by risk × value ({basis}); the first {shown} shown.",
        "{count} 名在网客户，按风险 × 价值（{basis}）排序；显示前 {shown} 名。",
    ),
    "churn.risk.basis.clv": ("value: CLV", "价值：客户终身价值"),
    "churn.risk.basis.annual_charges": ("value: 12 × monthly charges", "价值：12 × 月费"),
    "churn.risk.basis.none": ("no value column: risk alone", "无价值字段：仅按风险"),
    "churn.risk.csv": ("Retention list (CSV)", "维系挽留名单（CSV）"),
    "churn.risk.xlsx": ("Retention list (Excel)", "维系挽留名单（Excel）"),
    "churn.feature.recency_days": ("days since last order", "距上次下单天数"),
    "churn.feature.tenure_days": ("days since first order", "首单至今天数"),
    "churn.feature.orders_90d": ("orders, last 90 days", "近 90 天订单数"),
    "churn.feature.orders_prev_90d": ("orders, the 90 days before", "前一个 90 天订单数"),
    "churn.feature.orders_365d": ("orders, last 365 days", "近一年订单数"),
    "churn.feature.revenue_365d": ("revenue, last 365 days", "近一年消费额"),
    "churn.feature.orders_total": ("orders to date", "累计订单数"),
    "churn.feature.main_channel": ("main channel", "主要渠道"),
    "churn.feature.complaints_90d": ("complaints, last 90 days", "近 90 天投诉数"),
    "churn.feature.complaints_total": ("complaints to date", "累计投诉数"),
    "churn.feature.tickets_365d": ("tickets, last 365 days", "近一年工单数"),
    "churn.feature.late_tickets": ("tickets resolved late", "超时工单数"),
    "churn.feature.csat_365d": ("satisfaction, last 365 days", "近一年满意度"),
    "col.value": ("Value", "取值"),
    "col.customer_id": ("Customer", "客户编号"),
    "col.churned": ("Churned", "流失"),
    "col.low": ("95 % low", "95% 下限"),
    "col.high": ("95 % high", "95% 上限"),
    "col.small": ("Too few to rank", "样本过少"),
    "col.group": ("Group", "分组"),
    "col.events": ("Churned", "流失数"),
    "col.median": ("Median survival", "中位生存时间"),
    "col.risk": ("Risk", "流失风险"),
    "col.expected_loss": ("Risk × value", "风险 × 价值"),
    "col.last_contact": ("Last contact", "最近接触"),
    "col.reasons": ("Top reasons", "主要原因"),
    "col.feature": ("Feature", "特征"),
    "col.reason": ("Why refused", "拒绝原因"),
    "customer.risk": (
        "Churn risk: {risk} in the next {days} days. Reasons: {reasons}.",
        "流失风险：未来 {days} 天 {risk}。原因：{reasons}。",
    ),
    "customer.risk.compute": ("Score churn risk", "计算流失风险"),
    "customer.risk.none": (
        "No churn risk: the customer is not among those scored.",
        "无流失风险评分：该客户不在评分范围内。",
    ),
    "data.wide": (
        "This file has one response column per campaign ({count} found). It can be unpivoted into contacts: one "
        "per customer per campaign, the column's name as the campaign. Remove the columns that are not campaigns.",
        "该文件每个营销活动一列响应（发现 {count} 列），可转置为触达记录：每位客户每个活动一行，列名即活动。"
        "请移除不是活动的列。",
    ),
    "data.wide.columns": ("Campaign columns to unpivot", "要转置的活动列"),
    "data.wide.use": ("Unpivot: one contact per customer per campaign column", "转置：每位客户每个活动列一条触达记录"),
    "data.wide.left_out": (
        "Left out by default (0/1 but not named like a campaign; kept as attributes): {columns}",
        "默认未选（是 0/1 列但名称不像活动；保留为属性）：{columns}",
    ),
    "data.wide.id": ("Customer id column", "客户编号列"),
    "data.wide.generate": ("(none: a generated id per row)", "（无：为每行生成编号）"),
    "data.wide.implied": (
        "customer_id, campaign_id and responded come from the unpivot above.",
        "customer_id、campaign_id 和 responded 由上方的转置确定。",
    ),
    "data.guesses": ("How each column was guessed", "各列的映射依据"),
    "data.guess.line": ("**{column}** ← {source} · {how}: {evidence}", "**{column}** ← {source} · {how}：{evidence}"),
    "data.missing": ("{column} is not mapped: {reason}", "{column} 未映射：{reason}"),
    "data.campaign_name": ("Campaign name (the file has no campaign id)", "活动名称（文件中没有活动编号）"),
    "data.cancel": ("Cancel this upload", "取消本次上传"),
    # campaigns
    "metric.response_rate": ("Response rate", "响应率"),
    "metric.response_rate.def": ("Treatment contacts who responded / contacted.", "实验组中响应的触达数 ÷ 触达数。"),
    "metric.conversion_rate": ("Conversion rate", "转化率"),
    "metric.conversion_rate.def": ("Treatment contacts who converted / contacted.", "实验组中转化的触达数 ÷ 触达数。"),
    "metric.roi": ("ROI", "投资回报率"),
    "metric.roi.def": (
        "(Attributed revenue − spend) / spend. Attributed: the contacts' own revenue, else the contacted customers' "
        "orders within the attribution window.",
        "（归因收入 − 投入）÷ 投入。归因收入：触达记录自带的收入，否则为归因窗口内被触达客户的订单收入。",
    ),
    "metric.uplift": ("Uplift", "增量提升"),
    "metric.uplift.def": (
        "Treatment − control conversion, pooled over the campaigns that have a control group.",
        "实验组转化率 − 对照组转化率，按有对照组的活动汇总。",
    ),
    "camp.window": ("Attribution window (days after contact)", "归因窗口（触达后天数）"),
    "camp.window.own": (
        "The contacts carry their own revenue, so the window is not used.",
        "触达记录自带收入，因此不使用归因窗口。",
    ),
    "camp.table": ("Campaigns", "活动一览"),
    "camp.conversion": (
        "Conversion by campaign (click to drill every page to its customers)",
        "各活动转化率（点击可将所有页面筛选到其客户）",
    ),
    "camp.uplift": ("Uplift against control, with 95 % interval", "相对对照组的增量（含 95% 置信区间）"),
    "camp.verdict.lift": ("lift {pts} pts, significant", "提升 {pts} 个百分点，显著"),
    "camp.verdict.drop": ("drop {pts} pts, significant", "下降 {pts} 个百分点，显著"),
    "camp.verdict.no_evidence": ("no evidence of lift ({pts} pts)", "无显著提升（{pts} 个百分点）"),
    "camp.verdict.small_control": (
        "control group too small to tell ({pts} pts)",
        "对照组过小，无法判断（{pts} 个百分点）",
    ),
    "camp.verdict.no_control": ("no control group: uplift cannot be measured", "无对照组：无法衡量增量"),
    "camp.who": ("Who responded, by {attr}", "按{attr}看响应与转化"),
    "camp.who.pick": ("Break down by", "分析维度"),
    "camp.attr.age_band": ("age band", "年龄段"),
    "camp.funnel": ("Funnel by {by}", "按{by}的转化漏斗"),
    "camp.funnel.campaign": ("campaign", "活动"),
    "camp.funnel.channel": ("contact channel", "触达渠道"),
    "camp.stage.contacted": ("Contacted", "触达"),
    "camp.stage.responded": ("Responded", "响应"),
    "camp.stage.converted": ("Converted", "转化"),
    "camp.timeline": ("Campaigns over time: spend and revenue", "活动时间线：投入与收入"),
    "camp.spend": ("Spend", "投入"),
    "col.campaign_id": ("Campaign", "活动"),
    "col.contacted": ("Contacted", "触达"),
    "col.responded": ("Responded", "响应"),
    "col.converted": ("Converted", "转化"),
    "col.spend": ("Spend", "投入"),
    "col.attributed_revenue": ("Attributed revenue", "归因收入"),
    "col.response_rate": ("Response rate", "响应率"),
    "col.conversion_rate": ("Conversion rate", "转化率"),
    "col.roi": ("ROI", "投资回报率"),
    "col.cost_per_conversion": ("Cost per conversion", "单次转化成本"),
    "col.control": ("Control", "对照组"),
    "col.uplift": ("Uplift", "增量"),
    "col.verdict": ("Verdict", "结论"),
    "col.start_date": ("Start", "开始"),
    "col.end_date": ("End", "结束"),
    # complaints
    "cmp.section": ("Section", "分析视角"),
    "cmp.tab.categories": ("Categories", "投诉分类"),
    "cmp.tab.time": ("Time limits", "工单时限"),
    "cmp.tab.satisfaction": ("Satisfaction", "满意度"),
    "cmp.tab.customers": ("Customers", "客户影响"),
    "cmp.tab.text": ("Free text", "文本归类"),
    "col.ticket_id": ("Ticket", "工单号"),
    "col.created_at": ("Created", "创建时间"),
    "col.satisfaction": ("Satisfaction", "满意度评分"),
    "col.suggested_category": ("Suggested category", "建议类别"),
    "col.confidence": ("Confidence", "置信度"),
    "col.text": ("Text", "文本"),
    "cmp.pareto": ("Complaints by {level}", "按{level}的投诉量"),
    "cmp.level.category": ("category", "类别"),
    "cmp.level.subcategory": ("subcategory", "子类"),
    "cmp.cum_share": ("Cumulative share", "累计占比"),
    "cmp.pareto.hint": (
        "Orange bars make up the first 80 % of complaints. Click a category to see its subcategories, then a "
        "subcategory to list its tickets.",
        "橙色条形合计占投诉量的前 80%。点击类别查看其子类，再点击子类列出工单。",
    ),
    "cmp.tickets": ("Tickets: {sub}", "工单：{sub}"),
    "cmp.tickets.count": ("{count} tickets; the newest {shown} shown.", "共 {count} 张工单；显示最新 {shown} 张。"),
    "cmp.tickets.close": ("Close the list", "关闭列表"),
    "cmp.trend": ("Complaints per week by category", "各类别每周投诉量"),
    "cmp.anomaly": ("Anomaly (> mean + 3σ)", "异常（> 均值 + 3σ）"),
    "cmp.anomalies": ("Anomalous weeks: {weeks}", "异常周：{weeks}"),
    "cmp.durations": (
        "Resolution time: median {p50} h, p90 {p90} h ({tickets} tickets).",
        "解决时长：中位数 {p50} 小时，P90 {p90} 小时（{tickets} 张工单）。",
    ),
    "cmp.first_response": (
        "First response: median {p50} h, p90 {p90} h ({tickets} tickets).",
        "首次响应：中位数 {p50} 小时，P90 {p90} 小时（{tickets} 张工单）。",
    ),
    "cmp.no_creation_time": (
        "The tickets have no creation time of their own (the first response stands in): first-response time "
        "cannot be measured, and resolution time and the on-time rate run from the first response.",
        "工单没有自己的创建时间（以首次响应时间代替）：无法计算首次响应时长，解决时长与及时率均从首次响应起算。",
    ),
    "cmp.negative": (
        "{count} tickets were resolved before they were created; they are left out of durations and the on-time rate.",
        "{count} 张工单的解决时间早于创建时间，已从时长与及时率中剔除。",
    ),
    "cmp.histogram": ("Resolution time (hours)", "解决时长（小时）"),
    "cmp.hours": ("Hours", "小时"),
    "cmp.on_time": ("On-time rate by {by}", "按{by}的及时率"),
    "cmp.by.category": ("category", "类别"),
    "cmp.by.priority": ("priority", "优先级"),
    "cmp.by.channel": ("channel", "渠道"),
    "cmp.sla": ("SLA hours by priority (a ticket's own due time wins)", "各优先级时限（小时；工单自带截止时间优先）"),
    "cmp.sla.apply": ("Apply SLA", "应用时限"),
    "priority.urgent": ("Urgent", "紧急"),
    "priority.high": ("High", "高"),
    "priority.medium": ("Medium", "中"),
    "priority.low": ("Low", "低"),
    "cmp.overdue": ("Overdue backlog (超期预警)", "超期工单（超期预警）"),
    "cmp.overdue.count": (
        "{count} open complaints past due as of {as_of}, most urgent first.",
        "截至 {as_of} 共 {count} 张未结投诉已超期，按紧急程度排序。",
    ),
    "cmp.overdue.none": ("No open complaint is past due.", "没有超期的未结投诉。"),
    "cmp.csat.category": ("CSAT by category", "各类别满意度"),
    "cmp.csat.channel": ("CSAT by channel", "各渠道满意度"),
    "cmp.matrix": ("Importance–satisfaction matrix", "重要性–满意度矩阵"),
    "cmp.matrix.hint": (
        "Right of the line: more complaints than the median category; below it: lower CSAT. Red, bottom right: "
        "fix first.",
        "竖线右侧：投诉量高于中位类别；横线下方：满意度较低。右下红色：优先整改。",
    ),
    "cmp.repeat": ("Repeat complainers", "重复投诉客户"),
    "cmp.repeat.count": (
        "{count} customers complained twice or more within 30 days ({share} of complainers).",
        "{count} 名客户在 30 天内投诉两次及以上（占投诉客户的 {share}）。",
    ),
    "cmp.churn": ("Churn of complainers by category", "各投诉类别客户的流失率"),
    "cmp.churn.hint": (
        "Customers who complained in the category during the period; “none”: customers who did not complain. "
        "Churn as on the Churn page.",
        "周期内在该类别投诉过的客户；“none”为未投诉客户。流失口径同流失分析页。",
    ),
    "cmp.churn.none": (
        "Hidden: it needs tickets with a customer_id and a customers table.",
        "已隐藏：需要带客户编号的工单和客户表。",
    ),
    "cmp.stake": ("Complaints from high-value customers", "高价值客户投诉"),
    "cmp.stake.text": (
        "Diamond and Gold customers raised {count} complaints ({share} of all).",
        "钻石与金卡客户共投诉 {count} 次（占全部的 {share}）。",
    ),
    "cmp.stake.none": (
        "Hidden: value tiers need tickets and orders that share a customer_id.",
        "已隐藏：价值等级需要工单与订单有共同的客户编号。",
    ),
    "cmp.text.model": (
        "Classifier (character 1–3-grams, linear): accuracy {acc} and macro-F1 {f1} on {test} held-out labelled "
        "tickets, against {base} for always guessing the most common category.",
        "分类器（字符 1–3 元组，线性模型）：在 {test} 张留出的已标注工单上准确率 {acc}、宏平均 F1 {f1}；"
        "总猜最常见类别的准确率为 {base}。",
    ),
    "cmp.text.suggested": (
        "{count} tickets without a category get a suggestion.",
        "{count} 张未分类工单获得建议类别。",
    ),
    "cmp.text.none": (
        "Every ticket with text has a category: nothing to suggest.",
        "所有有文本的工单都已分类，无需建议。",
    ),
    "cmp.text.min": ("Accept suggestions with a confidence of at least", "接受置信度不低于以下值的建议"),
    "cmp.text.accept": ("Accept into suggested_category", "写入 suggested_category"),
    "cmp.text.saved": ("Saved as data version {version}.", "已保存为数据版本 {version}。"),
    "cmp.text.clusters": (
        "No ticket has a category: the texts fall into these clusters. Name them to make them categories (several "
        "clusters may share a name).",
        "工单都没有类别：文本可聚为以下几类。为其命名即成为类别（多个聚类可用同一名称）。",
    ),
    "cmp.text.cluster": ("Cluster {n} · {count} tickets · {terms}", "聚类 {n} · {count} 张工单 · {terms}"),
    "cmp.text.name": ("Name of cluster {n}", "聚类 {n} 的名称"),
    "cmp.text.save": ("Make the names categories", "将名称设为类别"),
    "cmp.text.k": ("Clusters", "聚类数"),
    "col.complaints_share": ("Share", "占比"),
    "col.share": ("Share", "占比"),
    "col.cum_share": ("Cumulative share", "累计占比"),
    "col.resolved": ("Resolved", "已解决"),
    "col.on_time": ("On time", "及时"),
    "col.rated": ("Rated", "已评价"),
    "col.satisfied_share": ("Satisfied share", "满意占比"),
    "col.quadrant": ("Quadrant", "象限"),
    "col.age_hours": ("Age (h)", "已开单（小时）"),
    "col.overdue_hours": ("Overdue (h)", "超期（小时）"),
    "col.priority": ("Priority", "优先级"),
    "col.category": ("Category", "类别"),
    "col.subcategory": ("Subcategory", "子类"),
    "col.status": ("Status", "状态"),
    "col.first": ("First", "首次"),
    "col.last": ("Last", "最近"),
    "col.shortest_gap_days": ("Shortest gap (days)", "最短间隔（天）"),
    "quadrant.fix_first": ("Fix first", "优先整改"),
    "quadrant.keep_up": ("Keep up", "保持"),
    "quadrant.watch": ("Watch", "关注"),
    "quadrant.low_priority": ("Low priority", "次要"),
    "error.title": ("Could not do that", "无法完成操作"),
    "error.column": ("(column {column})", "（列 {column}）"),
    "error.rows": ("[rows {rows}{more}]", "［第 {rows} 行{more}］"),
    "error.rows.more": (" and {count} more", " 等，另有 {count} 行"),
    # notes from the core (the first part of the key is the note's kind: see note_kind)
    "ignored.ds": ("ds='{value}' ignored: not a version number", "已忽略 ds='{value}'：不是版本号"),
    "ignored.date": ("{param}='{value}' ignored: use YYYY-MM-DD", "已忽略 {param}='{value}'：请使用 YYYY-MM-DD 格式"),
    "ignored.period": (
        "from={start} is after to={end}; the period was ignored",
        "from={start} 晚于 to={end}，已忽略该周期",
    ),
    "ignored.cmp": ("cmp='{value}' ignored: use one of {choices}", "已忽略 cmp='{value}'：请使用 {choices} 之一"),
    "ignored.values": ("{param}: only the first {count} values were kept", "{param}：仅保留前 {count} 个取值"),
    "ignored.version_unknown": (
        "ds={version}: no such version (latest is {latest}); showing the latest",
        "ds={version}：没有该数据版本（最新为 {latest}），显示最新数据",
    ),
    "ignored.version_pruned": (
        "ds={version}: that version was pruned; showing the latest",
        "ds={version}：该数据版本已清理，显示最新数据",
    ),
    "ignored.not_in_data": ("{dim}={values}: not in the data, ignored", "{dim}={values}：数据中不存在，已忽略"),
    "ignored.option": (
        "{param}={value}: not an option here, ignored; use one of {choices}",
        "已忽略 {param}={value}：不是有效选项，可选 {choices}",
    ),
    "ignored.outside_rows": (
        "{dim}={values}: outside the data you may see, so not shown",
        "{dim}={values}：超出您的数据权限，未显示",
    ),
    "ignored.segment_filters": (
        "rfm/tier ignored: they need dated orders with a customer_id",
        "已忽略 rfm/tier：需要带日期和 customer_id 的订单",
    ),
    "ignored.tiers": (
        "tiers='{value}' ignored: give three rising percentages, e.g. tiers=5,20,50",
        "已忽略 tiers='{value}'：请给出三个递增的百分比，例如 tiers=5,20,50",
    ),
    "ignored.margin": (
        "margin='{value}' ignored: give a percentage between 1 and 100",
        "已忽略 margin='{value}'：请给出 1 到 100 之间的百分比",
    ),
    "ignored.days": (
        "days='{value}' ignored: use a whole number of days from {low} to {high}",
        "已忽略 days='{value}'：请使用 {low} 到 {high} 之间的整数天数",
    ),
    "ignored.churn_explicit": (
        "churn=explicit ignored: the customers table has no churned flag",
        "已忽略 churn=explicit：客户表没有流失标记",
    ),
    "ignored.churn_behavioural": (
        "churn=behavioural ignored: it needs orders with a customer_id and an order date",
        "已忽略 churn=behavioural：需要带 customer_id 和下单日期的订单",
    ),
    "ignored.churn": (
        "churn='{value}' ignored: use explicit or behavioural",
        "已忽略 churn='{value}'：请使用 explicit 或 behavioural",
    ),
    "ignored.attr": (
        "{param}='{value}' ignored: not an attribute of these customers",
        "已忽略 {param}='{value}'：不是这些客户的属性",
    ),
    "ignored.members": (
        "members='{value}' ignored: not a segment, tier, cell, move or cluster",
        "已忽略 members='{value}'：不是分群、等级、网格单元、迁移或聚类",
    ),
    "ignored.sla": (
        "sla='{value}' ignored: give hours for {levels}, e.g. 4,24,72,120",
        "已忽略 sla='{value}'：请按 {levels} 给出小时数，例如 4,24,72,120",
    ),
    "ignored.win": (
        "win='{value}' ignored: use a whole number of days from 1 to 365",
        "已忽略 win='{value}'：请使用 1 到 365 之间的整数天数",
    ),
    "period.follows": (
        "The {table} have no rows in the period of the {other} (the 12 months to {other_end}): this page shows the "
        "last 12 months of the {table}, {start} – {end}.",
        "{table}数据在{other}数据的周期内（截至 {other_end} 的 12 个月）没有记录：本页显示{table}数据的最近 12 个月，"
        "{start} – {end}。",
    ),
    "period.align": ("Use this period on every page", "所有页面使用此周期"),
    "period.covers": ("This period covers: {tables}.", "本周期覆盖：{tables}。"),
    "period.covered": ("{table} ({first} – {last})", "{table}（{first} – {last}）"),
    "period.outside": (
        "The {table} ({first} – {last}) lie outside this period: their figures are empty here; the {page} page "
        "shows them in their own period.",
        "{table}数据（{first} – {last}）不在本周期内：此处相关指标为空；{page}页按其自身周期显示。",
    ),
    "period.outside_plain": (
        "The {table} ({first} – {last}) have no rows in this period.",
        "{table}数据（{first} – {last}）在本周期内没有记录。",
    ),
    "channels.none": (
        "no orders with a channel in this period and these filters",
        "本周期与当前筛选下没有带渠道的订单",
    ),
    "channels.none_by": (
        "no orders with a channel and a {dim} in this period and these filters",
        "本周期与当前筛选下没有同时带渠道和{dim}的订单",
    ),
    "channels.none_customers": (
        "no orders with a channel and a customer_id in this period and these filters",
        "本周期与当前筛选下没有同时带渠道和 customer_id 的订单",
    ),
    "channels.none_service": (
        "no tickets with a channel in this period and these filters",
        "本周期与当前筛选下没有带渠道的工单",
    ),
    "camp.uplift.none": (
        "no campaign in this view has a control group, so there is no uplift to draw",
        "当前视图中没有带对照组的活动，无法绘制增量",
    ),
    "overview.trend.none": ("no orders in this period and these filters", "本周期与当前筛选下没有订单"),
    "overview.moved.nothing": ("No {dim} values to split the change by.", "没有可用于拆分变化的{dim}取值。"),
    "data.filter_unapplied": (
        "{filters}: these filters do not apply to the {table} (no column or customer link for them), so the {table} "
        "figures here are not filtered by them",
        "{filters}：这些筛选不适用于{table}数据（没有对应列或客户关联），此处{table}相关指标未按其筛选",
    ),
    "data.no_rows": (
        "Your account may see no rows yet. Ask an administrator to give you a data scope.",
        "您的账户尚无可见数据，请联系管理员设置数据范围。",
    ),
    "data.text_sorting": ("Free-text sorting: {problem} ({hint}).", "文本归类：{problem}（{hint}）。"),
    "text.few_labelled": ("too few labelled tickets to learn categories from", "已标注类别的工单太少，无法学习类别"),
    "text.few_labelled.hint": ("label a few per category", "请为每个类别标注几张工单"),
    "text.needs_column": ("it needs tickets with a text column", "需要带文本列的工单"),
    "text.needs_column.hint": ("map a text column on import", "导入时请映射文本列"),
    "text.few_texts": ("too few uncategorised texts to cluster", "未分类的文本太少，无法聚类"),
    "text.few_texts.hint": ("clustering needs at least {k}", "聚类至少需要 {k} 条"),
    "data.no_column": (
        "Parts that need {column} are hidden: the {table} table has no {column} column.",
        "需要 {column} 的部分已隐藏：{table}表没有 {column} 列。",
    ),
    "data.model_needs": (
        "The churn-risk model needs customers of both kinds (churned and not) to learn from.",
        "流失风险模型需要同时有流失与未流失的客户才能学习。",
    ),
    "data.no_complaints": (
        "No complaint tickets in this period and these filters.",
        "本周期与当前筛选下没有投诉工单。",
    ),
    "data.undated_tickets": (
        "{count} complaint tickets have no creation time and fall outside every period.",
        "{count} 张投诉工单没有创建时间，不属于任何周期。",
    ),
    "data.no_contacts": (
        "No campaign contacts in this period and these filters.",
        "本周期与当前筛选下没有营销触达记录。",
    ),
    "coverage.tickets": (
        "{linked} of {total} complaint tickets have a known customer (in the customers table); complaints per "
        "1,000 customers counts all of them.",
        "{total} 张投诉工单中有 {linked} 张能对应到客户表中的客户；千客投诉率按全部工单计算。",
    ),
    "coverage.complainers": (
        "{linked} of {total} customers who complained in the 90 days before the cutoff are known customers still "
        "here at the cutoff; the churn of complainers counts those.",
        "截止日前 90 天内投诉的 {total} 名客户中，有 {linked} 名是截止日仍在的已知客户；投诉客户流失率按这些客户计算。",
    ),
    # KPI cards: why a figure has no value or no comparison
    "kpi.lacks.table": ("there is no {table} table", "没有{table}表"),
    "kpi.lacks.column": ("the {table} table has no {column} column", "{table}表没有 {column} 列"),
    "kpi.outside": (
        "no {table} in this period (they run {first} – {last})",
        "本周期没有{table}数据（其日期为 {first} – {last}）",
    ),
    "kpi.state": ("a snapshot (the churned flag) has no previous period", "快照数据（流失标记）没有上一周期"),
    "kpi.cohorts": ("measured over cohorts, not per period", "按客户群组计算，非周期指标"),
    "kpi.cutoff": ("measured at one cutoff, not per period", "在单一截止日计算，非周期指标"),
    "kpi.no_control": (
        "no campaign in view has a control group, so there is no uplift",
        "当前活动均无对照组，无法计算增量",
    ),
    "kpi.no_compare": ("no comparison: {why}", "无对比：{why}"),
    "kpi.why": ("{metrics}: {why}.", "{metrics}：{why}。"),
    "kpi.short.missing": ("Data missing", "缺少数据"),
    "kpi.short.outside": ("None in this period", "本周期无数据"),
    "kpi.short.no_compare": ("No comparison", "无对比"),
    "compare.before_data": (
        "the {table} start on {first}, after the comparison period begins ({start})",
        "{table}数据始于 {first}，晚于对比期开始（{start}）",
    ),
    "overview.moved.uncompared": ("No change to break down: no comparison ({why}).", "无变化可拆分：无对比（{why}）。"),
    "overview.moved.empty": ("Nothing to break down: {why}.", "无可拆分的变化：{why}。"),
    # empty states
    "empty.missing": ("This page needs {needs}.", "本页需要{needs}。"),
    "empty.table": ("the {table} table", "{table}表"),
    "empty.column": ("the {column} column of the {table} table", "{table}表的 {column} 列"),
    "empty.or": (", or ", "，或"),
    "empty.chart": ("Nothing to draw: {why}", "无可绘制的数据：{why}"),
    # errors
    "error.unexpected": (
        "Something went wrong on our side and this part could not be shown. Error id {id}: the details are in "
        "the server log.",
        "系统出错，此部分无法显示。错误编号 {id}，详情见服务器日志。",
    ),
    "error.unknown_page": ("unknown page '{page}'", "未知页面 '{page}'"),
    "error.pages": ("use one of: {pages}", "请使用以下之一：{pages}"),
    "churn.refused.label": ("names the churn label", "名称即流失标签"),
    "churn.refused.after": (
        "measured at the label date, after the cutoff: it restates the label",
        "在标签日期（截止日之后）计算：等于复述标签",
    ),
    "churn.refused.snapshot": ("measured at the data end, not at the cutoff", "在数据末尾而非截止日计算"),
    "churn.refused.disguise": (
        "separates churners on its own (AUC {auc}): the label in disguise",
        "单独即可区分流失客户（AUC {auc}）：变相的标签",
    ),
    "churn.refused.empty": ("has fewer than {n} values in the training data", "训练数据中取值少于 {n} 个"),
    # the door's limits
    "error.query": ("query failed: {detail}", "查询失败：{detail}"),
    "engine.unknown": ("unknown engine '{engine}': use one of {engines}", "未知的计算引擎 '{engine}'：可选 {engines}"),
    "lake.missing": (
        "data version {version} is not in the lake (expected Parquet in {folder})",
        "数据湖中没有数据版本 {version}（应在 {folder} 中有 Parquet 文件）",
    ),
    "error.row_cap": ("the query returned more than {cap} rows", "查询结果超过 {cap} 行"),
    "error.row_cap.hint": ("narrow the filters, or page through the rows", "请缩小筛选范围，或分页查看明细"),
    "error.timeout": (
        "the query took longer than {seconds} s and was stopped",
        "查询超过 {seconds} 秒，已停止",
    ),
    "error.timeout.hint": (
        "narrow the period or the filters and try again",
        "请缩短周期或缩小筛选范围后重试",
    ),
    # roles and row scopes
    "access.bad_role": ("unknown role {role}", "未知角色 {role}"),
    "access.roles": ("use one of: {roles}", "可选：{roles}"),
    "access.bad_scope": ("--scope {item} is not DIM=VALUE[,VALUE]", "--scope {item} 格式应为 维度=值[,值]"),
    "access.scope.hint": ("dimensions: {dims}; or 'all' for every row", "可用维度：{dims}；或 all 表示全部数据"),
    "access.page_denied": (
        "the {page} page is not open to the {role} role",
        "{role} 角色无权访问 {page} 页面",
    ),
    # users and sign-in
    "users.unknown": ("there is no user {name}", "没有名为 {name} 的用户"),
    "users.unknown.hint": (
        "list them with `python -m insight users list`",
        "可用 `python -m insight users list` 查看用户",
    ),
    "users.bad_name": ("{name} cannot be a user name", "{name} 不能用作用户名"),
    "users.bad_name.hint": (
        "use 1 to 64 characters, without line breaks or control characters",
        "请使用 1 到 64 个字符，不含换行或控制字符",
    ),
    "users.short_password": ("a password needs at least {n} characters", "密码至少需要 {n} 个字符"),
    "users.needs_password": (
        "a user needs a password, or an email to sign in with single sign-on",
        "用户需要密码，或用于单点登录的邮箱",
    ),
    "users.exists": ("there is already a user {name}", "用户 {name} 已存在"),
    "users.last_admin": (
        "{name} is the last administrator; make someone else an administrator first",
        "{name} 是最后一位管理员，请先指定其他管理员",
    ),
    "auth.name": ("User name", "用户名"),
    "auth.password": ("Password", "密码"),
    "auth.password.again": ("Password again", "再次输入密码"),
    "auth.password.mismatch": ("The two passwords differ.", "两次输入的密码不一致。"),
    "auth.setup.title": ("Create the administrator", "创建管理员"),
    "auth.setup.help": (
        "Nobody has an account yet. The administrator you create now can add colleagues with their "
        "roles (viewer, analyst, marketer, administrator) and the rows each may see.",
        "尚无任何账户。现在创建的管理员可以添加同事，并为其设置角色（查看者、分析师、市场人员、管理员）及可见数据范围。",
    ),
    "auth.setup.button": ("Create and sign in", "创建并登录"),
    "auth.signin.title": ("Sign in", "登录"),
    "auth.signin.button": ("Sign in", "登录"),
    "auth.signout": ("Sign out", "退出登录"),
    "auth.sso": ("Sign in with single sign-on", "单点登录"),
    "auth.sso.unknown": (
        "{email} has no account here. Ask an administrator to add a user with this email.",
        "{email} 在此没有账户，请联系管理员用该邮箱添加用户。",
    ),
    "auth.token_refused": ("That access token is not valid.", "访问令牌无效。"),
    "auth.signed_in": (
        "Signed in as **{name}** · {role} · rows: {rows}",
        "当前用户 **{name}** · {role} · 数据范围：{rows}",
    ),
    "auth.rows.all": ("all", "全部"),
    "role.viewer": ("viewer", "查看者"),
    "role.analyst": ("analyst", "分析师"),
    "role.marketer": ("marketer", "市场人员"),
    "role.admin": ("administrator", "管理员"),
    "access.not_allowed": (
        "This page is not open to your role ({role}). Ask an administrator if you need it.",
        "您的角色（{role}）无权访问本页。如需访问请联系管理员。",
    ),
    "page.admin": ("Administration", "系统管理"),
    "admin.settings": (
        "Query time limit {timeout} s · sessions last {days} days · {failures} failed passwords lock an "
        "account for {minutes} minutes",
        "查询时限 {timeout} 秒 · 登录保持 {days} 天 · 连续 {failures} 次密码错误将锁定账户 {minutes} 分钟",
    ),
    "admin.users": ("Users", "用户"),
    "admin.audit": ("Audit log", "审计日志"),
    "admin.add": ("Add a user", "添加用户"),
    "admin.add.button": ("Add user", "添加"),
    "admin.added": ("{name} was added.", "已添加 {name}。"),
    "admin.role": ("Role", "角色"),
    "admin.email": ("Email (single sign-on)", "邮箱（单点登录）"),
    "admin.email.help": (
        "With single sign-on configured, the identity with this email signs in as this user.",
        "配置单点登录后，使用该邮箱的身份将以此用户登录。",
    ),
    "admin.scope.all": ("All rows", "全部数据"),
    "admin.scope.help": (
        "Limit the rows this user sees: every dimension chosen must match (any of its values). "
        "A user limited to nothing sees nothing.",
        "限定该用户可见的数据：所选各维度均须匹配（任一取值即可）。未设置任何范围的用户看不到数据。",
    ),
    "admin.change": ("Change a user", "修改用户"),
    "admin.change.button": ("Save", "保存"),
    "admin.user": ("User", "用户"),
    "admin.unlock": ("Unlock", "解锁"),
    "admin.remove": ("Remove", "删除"),
    "admin.remove.confirm": ("Type the user name to remove it", "输入用户名以确认删除"),
    "admin.audit.who": ("Who", "操作人"),
    "admin.audit.action": ("Actions", "操作类型"),
    "admin.audit.text": ("Containing", "包含文字"),
    "admin.audit.count": ("{count} entries (the newest {shown} at most)", "共 {count} 条（最多显示最新 {shown} 条）"),
    "admin.col.name": ("User", "用户"),
    "admin.col.role": ("Role", "角色"),
    "admin.col.scope": ("Rows", "数据范围"),
    "admin.col.email": ("Email", "邮箱"),
    "admin.col.locked_until": ("Locked until (UTC)", "锁定至（UTC）"),
    "admin.col.created_at": ("Created (UTC)", "创建时间（UTC）"),
    "admin.col.at": ("When (UTC)", "时间（UTC）"),
    "admin.col.who": ("Who", "操作人"),
    "admin.col.action": ("What", "操作"),
    "admin.col.what": ("Details", "详情"),
    "admin.col.origin": ("From", "来源"),
    "admin.col.ok": ("Succeeded", "成功"),
    "audit.signin": ("sign-in", "登录"),
    "audit.signin_failed": ("failed sign-in", "登录失败"),
    "audit.locked": ("account locked", "账户锁定"),
    "audit.signout": ("sign-out", "退出"),
    "audit.import": ("import", "导入"),
    "audit.delete": ("delete", "删除数据"),
    "audit.export": ("export", "导出"),
    "audit.edit": ("data edit", "数据修改"),
    "audit.user_add": ("user added", "添加用户"),
    "audit.user_change": ("user changed", "修改用户"),
    "audit.user_remove": ("user removed", "删除用户"),
    "rows.export_cap": (
        "Exports hold the first {cap} rows; narrow the filters for the rest.",
        "导出最多包含前 {cap} 行；如需其余数据请缩小筛选范围。",
    ),
    "auth.failed": ("wrong user name or password", "用户名或密码错误"),
    "auth.locked": (
        "too many failed attempts: this account is locked for {minutes} minutes",
        "失败次数过多：该账户已锁定 {minutes} 分钟",
    ),
}
CATALOG.update(IMPORT_CATALOG)


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text of `key` in `lang`, with `{name}` placeholders filled in (values that are
    themselves messages are translated too)."""
    en, zh = CATALOG[key]
    template = zh if lang == "zh" else en
    if not values:
        return template
    return template.format(**{k: text(v, lang) if isinstance(v, Message) else v for k, v in values.items()})


@dataclass(frozen=True)
class Message:
    """A user-facing text from the core: a catalog key and its values, translated where it is shown.

    The core (notes, warnings, errors) returns messages, never finished sentences, so a Chinese
    user reads Chinese. `str()` gives the English text (logs, the CLI)."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **dict(self.values))

    def markdown(self, lang: str = DEFAULT_LANG) -> str:
        """The text for an element that renders Markdown: the catalog template as written, the
        values (user text: file, column and cell values, URL values) escaped."""
        from insight.escape import md

        values = {k: v.markdown(lang) if isinstance(v, Message) else md(v) for k, v in self.values}
        en, zh = CATALOG[self.key]
        return (zh if lang == "zh" else en).format(**values)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def msg(key: str, **values) -> Message:
    """`msg("note.undated", count=12)`: a message whose key must be in the catalog."""
    if key not in CATALOG:
        raise KeyError(f"{key!r} is not in the catalog")
    return Message(key, tuple(sorted(values.items())))


#: Kinds of notes the core gives a page, from the first part of the message key: `ignored` (a URL
#: value that was not used), `period` (which period is in force and why), `coverage` (how many
#: rows link between tables where that changes a figure), `data` (what the data lacks). A plain
#: string (a value of the data) is shown as data.
NOTE_KINDS = ("ignored", "period", "coverage", "data")


def note_kind(item: str | Message) -> str:
    if isinstance(item, Message):
        kind = item.key.split(".", 1)[0]
        return kind if kind in NOTE_KINDS else "data"
    return "data"


def text(item: str | Message | None, lang: str = DEFAULT_LANG, *, markdown: bool = False) -> str:
    """A message in `lang`; plain strings (data, or text not yet in the catalog) pass through.
    With `markdown=True` the result is safe in a Markdown-rendering element: a message's values
    are escaped, a plain string wholly."""
    if item is None:
        return ""
    if isinstance(item, Message):
        return item.markdown(lang) if markdown else item.text(lang)
    if markdown:
        from insight.escape import md

        return md(item)
    return str(item)


def _merge_parts() -> None:
    """Catalog parts kept beside the code they label (insight/reports/texts.py); a key is defined once."""
    from insight.reports.texts import TEXTS

    twice = set(TEXTS) & set(CATALOG)
    if twice:
        raise AssertionError(f"catalog keys defined twice: {sorted(twice)}")
    CATALOG.update(TEXTS)


_merge_parts()
