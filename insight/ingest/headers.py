"""Header words: which role a header names when it is not a known synonym.

Export headers name a role with extra words: `付款金额(元)`, `Purchase Timestamp`, `Sales Amount
(USD)`, `客户手机号`, `订单创建时间`, `Cust No.`, `Dt_Customer`. A header is split into English
words (camelCase and punctuation split) and Chinese text; a role matches when the header has one
of its core words (and, for ids, a subject: customer, order …), no word that means something else
(ship date, unit price, discount amount …), and few words the role does not know. Secondary roles
(resolved_at, churn_date …) need their own context word; a bare "Date" only fills the table's
main date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIME = frozenset({"date", "time", "timestamp", "datetime", "dt", "day", "at", "on", "时间", "日期", "时刻"})
ID = frozenset({"id", "no", "nr", "num", "number", "code", "key", "ref", "编号", "号", "号码", "代码", "编码", "单号"})
PHONE = frozenset({"phone", "mobile", "tel", "cell", "account", "手机", "手机号", "电话", "账号", "卡号"})
CUSTOMER = frozenset(
    {"customer", "cust", "client", "member", "user", "buyer", "consumer", "subscriber", "requester"}
    | {"客户", "会员", "用户", "买家", "顾客", "消费者"}
)
CAMPAIGN = frozenset({"campaign", "promo", "promotion", "activity", "活动", "营销"})
#: Words that qualify any header without changing its role: units, currencies, fillers.
NEUTRAL = frozenset(
    {"usd", "rmb", "cny", "eur", "gbp", "hkd", "yuan", "元", "万元", "of", "the", "in", "by", "for", "per", "的"}
    | {"s", "txt", "value", "all", "years", "yrs"}
)


@dataclass(frozen=True)
class Role:
    core: frozenset[str]
    context: frozenset[str] = frozenset()
    veto: frozenset[str] = frozenset()
    subject: frozenset[str] = frozenset()  # one of these is needed too (ids: whose id)
    primary: bool = True  # without context a core word alone may fill it (the table's own key or date)
    prefer: frozenset[str] = frozenset()  # context that wins a tie (created at over paid at)


def _r(core, context=(), veto=(), subject=(), primary=True, prefer=()) -> Role:
    context = frozenset(context) | frozenset(prefer)
    return Role(frozenset(core), context, frozenset(veto), frozenset(subject), primary, frozenset(prefer))


def _date(context, veto=(), primary=False, prefer=(), core=()) -> Role:
    return _r(TIME | frozenset(core), context, veto, primary=primary, prefer=prefer)


_ORDER = {
    "order",
    "invoice",
    "transaction",
    "receipt",
    "bill",
    "sale",
    "sales",
    "订单",
    "交易",
    "流水",
    "单据",
    "小票",
    "发票",
}
_TICKET = {"ticket", "case", "complaint", "incident", "request", "work", "工单", "投诉", "事件", "服务单"}
_MONEY_VETO = {"unit", "discount", "tax", "shipping", "freight", "fee", "refund", "coupon", "cost", "profit", "margin"}
_MONEY_VETO |= {
    "quantity",
    "qty",
    "count",
    "单价",
    "优惠",
    "折扣",
    "运费",
    "税",
    "退款",
    "成本",
    "利润",
    "数量",
    "积分",
    "佣金",
}
_NOT_EVENT = {"ship", "shipped", "shipping", "delivery", "delivered", "due", "refund", "return", "birth", "update"}
_NOT_EVENT |= {"updated", "modified", "signup", "发货", "签收", "收货", "退款", "退货", "出生", "生日", "更新", "修改"}
_CUSTOMER_ID = _r(ID | PHONE, subject=CUSTOMER, primary=False)

ROLES: dict[str, dict[str, Role]] = {
    "customers": {
        "customer_id": _r(ID | PHONE, subject=CUSTOMER),
        "name": _r({"name", "姓名", "名字", "名称"}, CUSTOMER, {"product", "campaign", "file", "company"}),
        "signup_date": _date(
            {"signup", "sign", "join", "joined", "registration", "register", "registered", "since", "created", "open"}
            | {"opened", "start", "customer", "member", "注册", "开户", "入网", "入会", "开卡", "加入", "创建"},
            {"birth", "churn", "leave", "last", "生日", "出生", "流失", "离网", "最近", "最后"},
            primary=True,
            core={"since"},
        ),
        "churn_date": _date({"churn", "churned", "leave", "left", "exit", "cancel", "closed", "流失", "离网", "销户"}),
        "churned": _r(
            {"churn", "churned", "attrition", "exited", "流失", "离网"},
            {"label", "flag", "status", "yes", "标志", "标记", "状态", "是否"},
            TIME | {"rate", "score", "risk", "probability", "reason", "率", "风险", "概率", "原因"},
        ),
        "tenure_months": _r({"tenure", "在网", "网龄"}, {"months", "month", "月", "时长", "月数"}),
        "monthly_charges": _r(
            {"charge", "charges", "fee", "spend", "bill", "消费", "费用", "月费"},
            veto={"total", "总"},
            subject={"monthly", "month", "月", "月均"},
        ),
        "region": _r({"region", "province", "state", "country", "area", "territory", "地区", "区域", "省份", "大区"}),
        "city": _r({"city", "城市"}),
        "segment": _r({"segment", "客群", "细分"}, CUSTOMER | {"business", "业务"}),
        "tier": _r({"tier", "level", "grade", "等级", "级别"}, CUSTOMER | {"vip", "价值"}),
        "gender": _r({"gender", "sex", "性别"}),
        "age": _r({"age", "年龄"}, veto={"group", "band", "range", "段"}),
        "birth_year": _r({"birth", "born", "出生"}, subject={"year", "年份", "年"}),
        "plan": _r({"plan", "package", "tariff", "套餐", "资费"}),
        "contract": _r({"contract", "合约", "合同"}, {"term", "type", "期限", "类型"}),
        "industry": _r({"industry", "sector", "行业"}),
    },
    "orders": {
        "order_id": _r(ID, subject=_ORDER),
        "customer_id": _CUSTOMER_ID,
        "order_date": _date(
            _ORDER
            | {"ordered", "purchase", "purchased", "created", "creation", "create", "placed", "paid", "payment"}
            | {"下单", "创建", "成交", "购买", "付款", "支付", "销售"},
            _NOT_EVENT,
            primary=True,
            prefer={"created", "creation", "placed", "ordered", "下单", "创建"},
        ),
        "amount": _r(
            {"amount", "amt", "sales", "revenue", "total", "gmv", "paid", "payment", "turnover"}
            | {"金额", "销售额", "营业额", "成交额", "实付", "付款", "支付", "收入", "总额", "总价", "合计", "应付"},
            {"order", "net", "gross", "actual", "final", "buyer", "customer", "line", "price"}
            | {"订单", "实际", "买家", "实收", "商品"},
            _MONEY_VETO,
        ),
        "quantity": _r(
            {"quantity", "qty", "units", "pieces", "pcs", "数量", "件数", "个数"}, {"item", "lineitem", "order", "商品"}
        ),
        "unit_price": _r({"price", "单价", "价格"}, {"unit", "item", "sale", "lineitem", "单"}, {"total", "总"}),
        "product": _r(
            {"product", "item", "lineitem", "sku", "goods", "article", "description", "商品", "产品", "宝贝", "货品"}
            | {"品名"},
            {"name", "title", "名称", "标题"},
            ID | {"category", "type", "类别", "类型", "price", "quantity", "qty", "单价", "数量", "分类"},
        ),
        "category": _r({"category", "类目", "品类", "类别", "分类"}, {"product", "item", "商品", "产品"}),
        "channel": _r(
            {"channel", "source", "platform", "medium", "渠道", "来源", "平台"}, {"sales", "order", "销售", "下单"}
        ),
        "region": _r({"region", "province", "state", "country", "area", "territory", "地区", "区域", "省份", "大区"}),
        "status": _r({"status", "state", "状态"}, {"order", "payment", "financial", "订单", "交易"}),
        "campaign_id": _r(ID | {"name"}, subject=CAMPAIGN, primary=False),
    },
    "tickets": {
        "ticket_id": _r(ID, subject=_TICKET),
        "customer_id": _CUSTOMER_ID,
        "created_at": _date(
            _TICKET
            | {"created", "creation", "create", "open", "opened", "received", "submitted", "start", "logged"}
            | {"reported", "raised", "受理", "创建", "登记", "来电", "开始", "立单", "提交", "发起"},
            {"resolved", "closed", "close", "solved", "due", "response", "responded", "purchase", "birth"}
            | {"解决", "办结", "结案", "关闭", "截止", "响应", "回复", "购买", "更新", "update", "updated"},
            primary=True,
            prefer={"created", "opened", "received", "受理", "创建"},
        ),
        "first_response_at": _date({"response", "reply", "responded", "响应", "回复"}),
        "resolved_at": _date(
            {"resolved", "resolution", "solved", "closed", "close", "completed", "解决", "办结", "结案"}
        ),
        "due_at": _date({"due", "deadline", "sla", "截止", "到期", "时限"}),
        "channel": _r({"channel", "source", "via", "medium", "渠道", "来源", "方式"}, _TICKET | {"contact", "受理"}),
        "category": _r(
            {"category", "type", "issue", "topic", "reason", "类别", "类型", "问题", "分类", "诉求", "原因"},
            _TICKET | {"problem"},
            {"sub", "subcategory", "子", "二级", "customer", "product", "payment"} | ID,
        ),
        "subcategory": _r(
            {"subcategory", "subtype", "subject", "子类", "二级", "小类"}, _TICKET | {"诉求", "问题", "issue"}
        ),
        "priority": _r({"priority", "severity", "urgency", "优先级", "紧急"}),
        "status": _r({"status", "state", "状态"}, _TICKET),
        "satisfaction": _r({"satisfaction", "csat", "rating", "score", "满意度", "评分", "评价"}, CUSTOMER),
        "text": _r(
            {"description", "text", "content", "narrative", "comment", "body", "message", "内容", "描述", "详情"},
            _TICKET | {"诉求"},
        ),
    },
    "campaigns": {
        "campaign_id": _r(ID, subject=CAMPAIGN),
        "name": _r({"name", "title", "名称"}, CAMPAIGN),
        "start_date": _date({"start", "begin", "launch", "开始", "上线"}, primary=True),
        "end_date": _date({"end", "finish", "stop", "结束", "截止"}),
        "spend": _r({"spend", "cost", "budget", "expense", "investment", "花费", "费用", "成本", "投入", "预算"}),
        "channel": _r({"channel", "medium", "渠道"}),
    },
    "contacts": {
        "campaign_id": _r(ID | {"name"}, subject=CAMPAIGN, primary=False),
        "customer_id": _CUSTOMER_ID,
        "contacted_at": _date(
            {"contact", "contacted", "sent", "send", "call", "called", "start", "触达", "发送", "联系", "外呼", "拨打"},
            primary=True,
        ),
        "responded": _r({"response", "responded", "reply", "replied", "opened", "clicked", "响应", "回复", "点击"}),
        "converted": _r({"converted", "conversion", "outcome", "subscribed", "success", "转化", "成交", "结果"}),
        "group": _r({"group", "variant", "arm", "cohort", "分组", "组别", "对照"}),
        "revenue": _r({"revenue", "amount", "sales", "收入", "金额"}),
        "channel": _r({"channel", "medium", "渠道", "方式"}),
    },
}


def split(header: str) -> tuple[list[str], str]:
    """English words (camelCase split, lower-cased) and the Chinese text of a header."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    words = re.findall(r"[a-z]+|\d+", spaced.lower())
    chinese = "".join(re.findall(r"[\u4e00-\u9fff]+", str(header)))
    return words, chinese


@dataclass(frozen=True)
class Match:
    score: float
    words: tuple[str, ...]  # the words that made the match


def match(role: Role, header: str) -> Match | None:
    """How well `header` names `role`, or None. 1.0 is a core word with its context and nothing
    unknown; every word the role does not know costs."""
    words, chinese = split(header)
    found: list[str] = []

    def hits(vocab: frozenset[str]) -> list[str]:
        out = [w for w in vocab if (w in chinese if re.search(r"[\u4e00-\u9fff]", w) else w in words)]
        return sorted(out, key=len, reverse=True)

    if hits(role.veto):
        return None
    core, context, subject = hits(role.core), hits(role.context), hits(role.subject)
    if not core:
        return None
    found = [*core, *subject, *context]
    known = set(found) | NEUTRAL
    unknown = [w for w in words if w not in known and not w.isdigit()]
    rest = chinese
    for w in sorted(found + [w for w in NEUTRAL if re.search(r"[\u4e00-\u9fff]", w)], key=len, reverse=True):
        rest = rest.replace(w, "")
    unknown += [rest[i : i + 2] for i in range(0, len(rest), 2)]
    if role.subject and not subject and not (role.primary and not unknown):
        return None  # an id names whose id it is, unless it is the table's own key alone ("ID", "编号")
    if not role.primary and not role.subject and not context:
        return None
    score = 0.6 + (0.2 if context or subject else 0.0) + 0.05 * max(0, len(context) - 1) - 0.25 * len(unknown)
    score += 0.1 if hits(role.prefer) else 0.0
    return Match(round(min(score, 1.0), 2), tuple(dict.fromkeys(found))) if score >= 0.55 else None
