"""The canonical data model (SPEC §3): tables, column types, required columns and header synonyms."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Column kinds: how a source text value is coerced.
ID, TEXT, NUMBER, INTEGER, BOOL, DATE = "id", "text", "number", "integer", "bool", "date"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    synonyms: tuple[str, ...] = ()


def _c(name: str, kind: str, *synonyms: str, required: bool = False) -> Column:
    return Column(name, kind, required, synonyms)


#: Header words shared by several tables.
CUSTOMER_ID_WORDS = ("customerid", "custid", "客户id", "客户编号", "用户id", "客户号", "会员id", "会员编号", "用户编号")
REGION_WORDS = ("地区", "区域", "省份", "province", "state", "country", "国家", "大区")

TABLES: dict[str, tuple[Column, ...]] = {
    "customers": (
        _c("customer_id", ID, *CUSTOMER_ID_WORDS, required=True),
        _c("name", TEXT, "customername", "客户名称", "客户姓名", "姓名", "名称", "fullname"),
        _c(
            "signup_date",
            DATE,
            "signupdate",
            "joindate",
            "registrationdate",
            "registerdate",
            "createdate",
            "注册日期",
            "注册时间",
            "开户日期",
            "入网时间",
            "入网日期",
        ),
        _c("region", TEXT, *REGION_WORDS),
        _c("city", TEXT, "城市", "市"),
        _c(
            "segment",
            TEXT,
            "customersegment",
            "customertype",
            "businesstype",
            "客户类型",
            "客户类别",
            "业务类型",
            "客户群",
        ),
        _c(
            "tier",
            TEXT,
            "valuetier",
            "customertier",
            "level",
            "memberlevel",
            "客户等级",
            "会员等级",
            "等级",
            "价值等级",
        ),
        _c("industry", TEXT, "行业", "所属行业"),
        _c("gender", TEXT, "sex", "性别"),
        _c("age", INTEGER, "customerage", "年龄"),
        _c("birth_year", INTEGER, "birthyear", "出生年份"),
        _c("plan", TEXT, "套餐", "产品套餐", "资费", "package"),
        _c("contract", TEXT, "contracttype", "合约", "合约类型", "合同类型"),
        _c("tenure_months", NUMBER, "tenure", "tenuremonths", "在网时长", "在网月数", "网龄"),
        _c("monthly_charges", NUMBER, "monthlycharges", "monthlyfee", "月费", "月消费", "月均消费", "arpu"),
        _c("churned", BOOL, "churn", "ischurned", "churnflag", "exited", "attrition", "是否流失", "流失", "流失标志"),
        _c("churn_date", DATE, "churndate", "流失日期", "离网日期", "销户日期"),
    ),
    "orders": (
        _c(
            "order_id",
            ID,
            "orderid",
            "orderno",
            "ordernumber",
            "invoiceno",
            "invoice",
            "invoiceid",
            "transactionid",
            "订单号",
            "订单编号",
            "订单id",
            "单号",
        ),
        _c("customer_id", ID, *CUSTOMER_ID_WORDS),
        _c(
            "order_date",
            DATE,
            "orderdate",
            "invoicedate",
            "date",
            "transactiondate",
            "purchasedate",
            "orderdatetime",
            "ordertime",
            "订单日期",
            "下单时间",
            "下单日期",
            "交易日期",
            "交易时间",
            "日期",
            "购买日期",
            required=True,
        ),
        _c(
            "amount",
            NUMBER,
            "sales",
            "revenue",
            "total",
            "totalamount",
            "ordertotal",
            "amountpaid",
            "金额",
            "销售额",
            "实付金额",
            "订单金额",
            "支付金额",
            "成交金额",
            "营业额",
            required=True,
        ),
        _c("quantity", NUMBER, "qty", "units", "数量", "购买数量", "件数"),
        _c("unit_price", NUMBER, "unitprice", "price", "单价", "价格"),
        _c("product", TEXT, "productname", "description", "item", "itemname", "商品", "商品名称", "产品", "产品名称"),
        _c("category", TEXT, "productcategory", "品类", "类别", "商品类别", "产品类别"),
        _c("channel", TEXT, "saleschannel", "orderchannel", "source", "渠道", "来源渠道", "销售渠道", "下单渠道"),
        _c("region", TEXT, *REGION_WORDS),
        _c("campaign_id", ID, "campaignid", "campaign", "活动id", "活动编号", "营销活动"),
        _c("status", TEXT, "orderstatus", "状态", "订单状态"),
    ),
    "tickets": (
        _c(
            "ticket_id",
            ID,
            "ticketid",
            "caseid",
            "complaintid",
            "workorderid",
            "工单号",
            "工单编号",
            "投诉编号",
            "工单id",
        ),
        _c("customer_id", ID, *CUSTOMER_ID_WORDS),
        _c(
            "created_at",
            DATE,
            "createdat",
            "createddate",
            "createtime",
            "opendate",
            "opened",
            "datereceived",
            "受理时间",
            "创建时间",
            "投诉时间",
            "立单时间",
            "登记时间",
            required=True,
        ),
        _c(
            "first_response_at",
            DATE,
            "firstresponseat",
            "firstresponsetime",
            "firstresponse",
            "首次响应时间",
            "响应时间",
        ),
        _c(
            "resolved_at",
            DATE,
            "resolvedat",
            "resolveddate",
            "closedate",
            "closedat",
            "timetoresolution",
            "resolutiontime",
            "解决时间",
            "办结时间",
            "结案时间",
            "关闭时间",
        ),
        _c("due_at", DATE, "dueat", "duedate", "deadline", "sladue", "时限", "截止时间", "应办结时间"),
        _c(
            "channel",
            TEXT,
            "ticketchannel",
            "contactchannel",
            "submittedvia",
            "渠道",
            "来源渠道",
            "受理渠道",
            "投诉渠道",
        ),
        _c(
            "category",
            TEXT,
            "tickettype",
            "complainttype",
            "issuetype",
            "issue",
            "product",
            "投诉类别",
            "问题类型",
            "投诉类型",
            "工单类型",
            "业务类型",
            required=True,
        ),
        _c("subcategory", TEXT, "subissue", "ticketsubject", "subject", "子类别", "问题子类", "二级分类"),
        _c("priority", TEXT, "ticketpriority", "severity", "优先级", "紧急程度"),
        _c("status", TEXT, "ticketstatus", "状态", "工单状态", "处理状态"),
        _c("is_complaint", BOOL, "iscomplaint", "complaint", "是否投诉"),
        _c(
            "first_contact_resolved",
            BOOL,
            "fcr",
            "firstcontactresolved",
            "firstcontactresolution",
            "一次解决",
            "首次解决",
        ),
        _c(
            "satisfaction",
            NUMBER,
            "csat",
            "satisfactionrating",
            "customersatisfactionrating",
            "rating",
            "score",
            "满意度",
            "评分",
            "满意度评分",
        ),
        _c(
            "text",
            TEXT,
            "description",
            "ticketdescription",
            "complainttext",
            "narrative",
            "consumercomplaintnarrative",
            "内容",
            "投诉内容",
            "问题描述",
            "描述",
        ),
    ),
    "campaigns": (
        _c("campaign_id", ID, "campaignid", "campaign", "活动id", "活动编号", required=True),
        _c("name", TEXT, "campaignname", "活动名称", "名称"),
        _c("channel", TEXT, "渠道", "投放渠道"),
        _c("start_date", DATE, "startdate", "start", "开始日期", "开始时间"),
        _c("end_date", DATE, "enddate", "end", "结束日期", "结束时间"),
        _c("spend", NUMBER, "cost", "budget", "花费", "费用", "成本", "投入"),
        _c("target_segment", TEXT, "targetsegment", "target", "目标客群", "目标人群"),
    ),
    "contacts": (
        _c("campaign_id", ID, "campaignid", "campaign", "活动id", "活动编号", required=True),
        _c("customer_id", ID, *CUSTOMER_ID_WORDS, required=True),
        _c("contacted_at", DATE, "contactedat", "contactdate", "senddate", "触达时间", "发送时间", "联系时间"),
        _c("group", TEXT, "testgroup", "controlgroup", "variant", "分组", "组别"),
        _c("responded", BOOL, "response", "是否响应", "响应"),
        _c("converted", BOOL, "conversion", "outcome", "y", "subscribed", "result", "是否转化", "转化", "结果"),
        _c("revenue", NUMBER, "收入", "转化金额"),
        _c("channel", TEXT, "contact", "contacttype", "contactchannel", "触达渠道", "联系方式", "触达方式"),
    ),
}

TABLE_NAMES = tuple(TABLES)

#: Order status values that take an order out of revenue (normalised to these two words).
CANCELLED, RETURNED, COMPLETED = "cancelled", "returned", "completed"
STATUS_WORDS = {
    CANCELLED: ("cancel", "canceled", "cancelled", "void", "voided", "取消", "已取消", "作废", "撤单"),
    RETURNED: ("return", "returned", "refund", "refunded", "退货", "已退货", "退款", "已退款"),
}

TRUE_WORDS = ("yes", "y", "true", "t", "1", "1.0", "是", "对", "有", "已流失")
FALSE_WORDS = ("no", "n", "false", "f", "0", "0.0", "否", "无", "未流失")


def columns(table: str) -> tuple[Column, ...]:
    return TABLES[table]


def column(table: str, name: str) -> Column:
    for col in TABLES[table]:
        if col.name == name:
            return col
    raise KeyError(f"{table}.{name}")


def required(table: str) -> list[str]:
    return [c.name for c in TABLES[table] if c.required]


def normalise_header(header: str) -> str:
    """Lower-case, drop spaces, underscores and punctuation: "Customer ID" and "customer_id" agree."""
    return re.sub(r"[\s_\-./()（）:：#]+", "", str(header)).lower()
