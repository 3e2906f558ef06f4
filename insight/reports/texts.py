"""Catalog texts (English, 简体中文) of saved views, reports, deliveries, schedules, alerts and
chart notes; insight/i18n.py merges them into its CATALOG."""

TEXTS: dict[str, tuple[str, str]] = {
    # saved views
    "page.saved": ("Saved views", "已保存视图"),
    "saved.denied": (
        "saving views needs the analyst role or higher (yours: {role})",
        "保存视图需要分析师及以上角色（当前：{role}）",
    ),
    "saved.unknown": ("there is no saved view {name} you may open", "没有您可打开的已保存视图 {name}"),
    "saved.unknown.hint": (
        "list them with `python -m insight views list`",
        "可用 `python -m insight views list` 查看",
    ),
    "saved.ambiguous": (
        "several shared views are called {name}: use one of {refs}",
        "有多个名为 {name} 的共享视图，请指定其一：{refs}",
    ),
    "saved.not_yours": (
        "{name} belongs to someone else; only its owner or an administrator may change it",
        "{name} 属于他人，只有其所有者或管理员可以修改",
    ),
    "saved.bad_name": ("{name} cannot be the name of a saved view", "{name} 不能用作视图名称"),
    "saved.bad_name.hint": (
        "use 1 to {n} characters, without '/' or line breaks",
        "请使用 1 到 {n} 个字符，不含“/”或换行",
    ),
    # reports
    "report.vs": ("{change} vs {cmp}", "较{cmp} {change}"),
    "report.as": ("As seen by {user} (rows: {rows})", "以 {user} 的视角（数据范围：{rows}）"),
    "report.generated": ("generated {at} UTC", "生成于 {at}（UTC）"),
    "report.filters": ("Filters: {filters}", "筛选：{filters}"),
    "report.filters.none": ("No filters: all the data you may see", "无筛选：您可见的全部数据"),
    "report.link": ("Open in the app: {link}", "在应用中打开：{link}"),
    "report.rows_shown": ("The first {shown} of {total} rows.", "显示前 {shown} 行，共 {total} 行。"),
    "report.table.channels": ("Service by channel", "各渠道服务"),
    "report.table.segments": ("RFM segments", "RFM 分群"),
    "report.table.churn": ("Churn by attribute", "按属性的流失率"),
    "report.table.complaints": ("Complaints by category", "投诉类别"),
    "report.table.campaigns": ("Campaigns", "活动一览"),
    "report.page": ("the {page} page has no report", "{page} 页面不支持报告"),
    "report.page.hint": ("reports cover these pages: {pages}", "可生成报告的页面：{pages}"),
    "report.format": ("{fmt} is not a report format: use {formats}", "{fmt} 不是报告格式，可选 {formats}"),
    "report.print_failed": ("the report could not be printed: {detail}", "报告无法打印：{detail}"),
    "report.print_failed.hint": (
        "reports are printed by Debian's Chromium: run `make system` (or set INSIGHT_CHROMIUM)",
        "报告由 Chromium 打印：请运行 `make system`（或设置 INSIGHT_CHROMIUM）",
    ),
    # deliveries
    "deliver.bad_target": (
        "{target} is neither an e-mail address nor an http(s) webhook URL",
        "{target} 既不是邮箱地址，也不是 http(s) 网络钩子地址",
    ),
    "deliver.bad_target.hint": (
        "give addresses like ann@example.com, or URLs like https://hooks.example.com/…",
        "请填写 ann@example.com 这样的邮箱，或 https://hooks.example.com/… 这样的地址",
    ),
    "deliver.no_targets": ("say where to send it: --to ADDRESS or URL", "请用 --to 指定收件邮箱或网络钩子地址"),
    "deliver.no_smtp": ("e-mail is not set up", "尚未配置邮件发送"),
    "deliver.bad_smtp": (
        "the e-mail settings are not valid (INSIGHT_SMTP_PORT a number, INSIGHT_SMTP_TLS starttls, ssl or none)",
        "邮件设置无效（INSIGHT_SMTP_PORT 须为数字，INSIGHT_SMTP_TLS 为 starttls、ssl 或 none）",
    ),
    "deliver.no_smtp.hint": (
        "set INSIGHT_SMTP_HOST (and _PORT, _USER, _PASSWORD, _FROM, _TLS) for the app and the command line",
        "请为应用和命令行设置 INSIGHT_SMTP_HOST（及 _PORT、_USER、_PASSWORD、_FROM、_TLS）",
    ),
    "deliver.mail_failed": ("e-mail to {target} failed: {detail}", "发往 {target} 的邮件发送失败：{detail}"),
    "deliver.webhook_failed": ("webhook {target} failed: {detail}", "网络钩子 {target} 调用失败：{detail}"),
    "deliver.failed": (
        "{count} of {total} deliveries failed: {details}",
        "{total} 次投递中有 {count} 次失败：{details}",
    ),
    "deliver.no_email": ("{name} has no e-mail address", "{name} 没有邮箱地址"),
    "deliver.no_email.hint": (
        "an administrator sets it on the Administration page, or with `users add --email`",
        "管理员可在系统管理页或用 `users add --email` 设置",
    ),
    # schedules
    "schedule.bad_every": ("--every {every}: use one of {choices}", "--every {every}：可选 {choices}"),
    "schedule.bad_at": ("--at {at} is not a time like 08:00", "--at {at} 不是 08:00 这样的时间"),
    "schedule.bad_on": ("--on {on}: use one of {choices}", "--on {on}：可选 {choices}"),
    "schedule.bad_name": ("{name} cannot be the name of a schedule", "{name} 不能用作计划名称"),
    "schedule.bad_zone": (
        "INSIGHT_TIMEZONE={zone} is not a time zone (use a name like Asia/Shanghai)",
        "INSIGHT_TIMEZONE={zone} 不是有效时区（请用 Asia/Shanghai 这样的名称）",
    ),
    "schedule.exists": ("there is already a schedule {name}", "计划 {name} 已存在"),
    "schedule.unknown": ("there is no schedule {name}", "没有名为 {name} 的计划"),
    "schedule.unknown.hint": (
        "list them with `python -m insight schedule list`",
        "可用 `python -m insight schedule list` 查看",
    ),
    "schedule.not_yours": (
        "the schedule {name} was made by someone else; they or an administrator may remove it",
        "计划 {name} 由他人创建，只有创建者或管理员可以删除",
    ),
    "schedule.busy": (
        "the app is serving this workspace and runs the due schedules itself (last seen {seconds} s ago)",
        "应用正在使用该工作区，并会自行执行到期的计划（{seconds} 秒前仍在运行）",
    ),
    # alerts
    "alerts.bad_name": ("{name} cannot be the name of an alert rule", "{name} 不能用作预警规则名称"),
    "alerts.bad_builtin": ("--builtin {kind}: use one of {choices}", "--builtin {kind}：可选 {choices}"),
    "alerts.bad_metric": ("{metric} is not a metric of the registry", "{metric} 不是已定义的指标"),
    "alerts.metrics": ("metrics: {ids}", "可用指标：{ids}"),
    "alerts.bad_op": (
        "say when the rule fires: one of {choices}, with a number",
        "请指定触发条件：{choices} 之一，并给出数值",
    ),
    "alerts.bad_threshold": ("{value} is not a number (e.g. 90%, 0.9 or 20)", "{value} 不是数值（如 90%、0.9 或 20）"),
    "alerts.bad_days": ("--days {days}: use 1 to 3650 days", "--days {days}：请使用 1 到 3650 天"),
    "alerts.bad_filter": ("the rule's filters are not valid: {detail}", "规则的筛选条件无效：{detail}"),
    "alerts.exists": ("there is already an alert rule {name}", "预警规则 {name} 已存在"),
    "alerts.unknown": ("there is no alert rule {name}", "没有名为 {name} 的预警规则"),
    "alerts.unknown.hint": (
        "list them with `python -m insight alerts list`",
        "可用 `python -m insight alerts list` 查看",
    ),
    "alerts.not_yours": (
        "the alert rule {name} is someone else's; they or an administrator may change it",
        "预警规则 {name} 属于他人，只有其所有者或管理员可以修改",
    ),
    "alerts.rule.below": (
        "{name}: {metric} is {value}, below {threshold} ({period}; {filters})",
        "{name}：{metric}为 {value}，低于 {threshold}（{period}；{filters}）",
    ),
    "alerts.rule.above": (
        "{name}: {metric} is {value}, above {threshold} ({period}; {filters})",
        "{name}：{metric}为 {value}，高于 {threshold}（{period}；{filters}）",
    ),
    "alerts.rule.up": (
        "{name}: {metric} rose {change} against the comparison period, to {value} (alert at +{threshold}; "
        "{period}; {filters})",
        "{name}：{metric}较对比期上升 {change}，达到 {value}（阈值 +{threshold}；{period}；{filters}）",
    ),
    "alerts.rule.down": (
        "{name}: {metric} fell {change} against the comparison period, to {value} (alert at -{threshold}; "
        "{period}; {filters})",
        "{name}：{metric}较对比期下降 {change}，降至 {value}（阈值 -{threshold}；{period}；{filters}）",
    ),
    "alerts.subject": ("Alert: {text}", "预警：{text}"),
    "alerts.mail.footer": (
        "Alert rule {name} of {owner}, from Customer Insight.",
        "来自客户洞察，{owner} 的预警规则 {name}。",
    ),
    "report.where": (
        "say where the report goes: --out FILE, --to ADDRESS, or both",
        "请指定报告去向：--out 文件、--to 地址，或两者",
    ),
    "schedule.failed": ("schedules with failed deliveries: {names}", "有投递失败的计划：{names}"),
    "schedule.failed.hint": (
        "see `python -m insight schedule list`; `schedule run NAME` sends one again",
        "请查看 `python -m insight schedule list`；`schedule run 名称` 可重新发送",
    ),
}
