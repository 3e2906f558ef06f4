"""The world the demo data simulates (insight/demo.py draws from it): the calendar, regions and
cities, customer segments and their spending, products, channels and the Store-to-App shift,
seasons, churn, ticket categories and texts (English and Chinese), SLAs, campaigns and names.
Change a number here and tests/test_demo.py says which story the dashboard stops telling."""

from __future__ import annotations

import numpy as np
import pandas as pd

DEMO_END = pd.Timestamp("2026-10-31")  # last day of data, included
DEMO_START = pd.Timestamp("2024-11-01")  # 24 months of history
N_DAYS = (DEMO_END - DEMO_START).days + 1  # 730; internal times are float days since DEMO_START
BASE_SINCE = pd.Timestamp("2019-01-01")  # earliest signup of the pre-existing customer base
NEW_CUSTOMER_SHARE = 0.30  # customers who sign up during the 24 months

REGIONS, REGION_SHARE = ["East", "North", "South", "West", "Central"], [30, 20, 24, 12, 14]
REGION_VALUE = [1.25, 1.00, 1.15, 0.80, 0.85]  # spend multiplier: the coast spends more
CITIES = [
    "Shanghai Hangzhou Nanjing Suzhou",
    "Beijing Tianjin Shijiazhuang",
    "Guangzhou Shenzhen Xiamen",
    "Chengdu Chongqing Xi'an",
    "Wuhan Changsha Zhengzhou",
]  # per region, space-separated
SEGMENTS, SEGMENT_SHARE = ["Consumer", "SMB", "Enterprise", "Government"], [80, 14, 4.5, 1.5]
SEGMENT_FREQ = [1.0, 1.2, 1.4, 1.0]  # order-frequency multiplier
SEGMENT_EXTRA_QTY = [0.1, 0.5, 1.2, 1.0]  # mean extra units per order (Poisson)
SEGMENT_FEE = [1.0, 3.0, 12.0, 10.0]  # monthly-charge multiplier
CONTRACTS = ["Month-to-month", "One year", "Two year"]
SEGMENT_CONTRACT = [[50, 30, 20], [35, 40, 25], [10, 40, 50], [5, 35, 60]]
INDUSTRIES = ["Retail", "Finance", "Telecom", "Manufacturing", "Logistics", "Education"]
INDUSTRIES += ["Public sector"]
SEGMENT_INDUSTRY = [[1] * 7, [5, 2, 1, 4, 3, 1, 0], [2, 3, 2, 4, 2, 1, 0], [0, 0, 0, 0, 0, 2, 8]]
PLANS, PLAN_FEE = ["Basic", "Standard", "Premium"], [39.0, 79.0, 149.0]
VALUE_SIGMA = 0.50  # lognormal spread of a customer's spend per order
FREQ_SIGMA = 0.70  # lognormal spread of a customer's order frequency

# product, category, list price, weight for Consumer, SMB, Enterprise, Government
PRODUCTS = [
    ("Prepaid top-up", "Mobile", 50, 20, 3, 0, 0),
    ("5G plan upgrade", "Mobile", 128, 10, 5, 2, 2),
    ("Family bundle", "Mobile", 199, 8, 0, 0, 0),
    ("Fiber broadband 500M", "Broadband", 299, 8, 6, 0, 1),
    ("Fiber broadband 1000M", "Broadband", 499, 4, 6, 2, 2),
    ("Smartphone", "Devices", 3299, 6, 4, 4, 3),
    ("Tablet", "Devices", 2499, 3, 2, 2, 3),
    ("Smartwatch", "Devices", 1299, 3, 1, 0, 0),
    ("Earbuds", "Accessories", 299, 8, 2, 1, 0),
    ("Charger", "Accessories", 99, 10, 4, 2, 1),
    ("Wi-Fi router", "Smart home", 349, 5, 5, 2, 2),
    ("Smart camera", "Smart home", 399, 4, 3, 1, 2),
    ("Cloud storage", "Cloud & IT", 99, 3, 8, 6, 4),
    ("Cloud server", "Cloud & IT", 1999, 0, 4, 10, 8),
    ("Dedicated line", "Enterprise services", 8000, 0, 1, 6, 6),
    ("Managed security", "Enterprise services", 4800, 0, 1, 5, 4),
]
CHANNELS = ["Store", "Online", "App", "WeChat", "Hotline", "Account manager", "Partner"]
CHANNEL_MIX = {  # per segment: (mix at DEMO_START, mix at DEMO_END); the Store -> App shift
    "Consumer": ([42, 26, 10, 15, 5, 0, 2], [17, 24, 37, 16, 4, 0, 2]),
    "SMB": ([15, 25, 8, 5, 5, 30, 12], [10, 25, 15, 5, 3, 30, 12]),
    "Enterprise": ([0, 8, 2, 0, 5, 60, 25], [0, 8, 4, 0, 3, 60, 25]),
    "Government": ([0, 5, 0, 0, 5, 55, 35], [0, 5, 0, 0, 5, 55, 35]),
}
ORDER_STATUS, ORDER_STATUS_MIX = ["completed", "cancelled", "returned"], [95, 3, 2]
MONTH_SEASON = [1.15, 1.10, 0.95, 0.95, 1.0, 0.92, 0.78, 0.78, 0.95, 1.0, 1.30, 1.30]  # Jan..Dec
CNY_DATES, CNY_BOOST, CNY_WIDTH_DAYS = ["2025-01-29", "2026-02-17"], 0.45, 8.0
DOUBLE_11_BOOST, WEEKEND_BOOST = 1.5, 0.12
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 8, 8, 8, 9, 10, 12, 13, 12, 8, 4]

CHURN_BASE = [0.17, 0.09, 0.05]  # churn probability by contract, for customers who never complained
COMPLAINT_CHURN_LIFT = 2.2  # churn multiplier once a customer has complained
MIN_LIFETIME_DAYS = 30  # a customer stays at least this long before churning

ORDERS_PER_TICKET = 8
TICKET_PROPENSITY_SHAPE = 0.5  # gamma shape of ticket propensity: many never open a ticket
TICKET_CHANNELS = ["Hotline", "App", "WeChat", "Online", "Store", "Email"]
TICKET_CHANNEL_MIX = [30, 20, 20, 12, 10, 8]
PRIORITIES, PRIORITY_MIX = ["urgent", "high", "medium", "low"], [8, 22, 45, 25]
SLA_HOURS = np.array([4.0, 24.0, 72.0, 120.0])  # per priority, as in insight.settings
FIRST_RESPONSE_MEDIAN_H = np.array([0.25, 1.0, 3.0, 6.0])
RESOLVE_SLA_RATIO, RESOLVE_SIGMA = 0.55, 0.65  # median resolution time as a share of the SLA
TICKET_CATEGORIES = {  # share, complaint rate, first-contact-resolution rate, slowness
    "Billing": (22, 0.60, 0.45, 1.0),
    "Network/quality": (22, 0.80, 0.20, 1.6),
    "Delivery": (16, 0.75, 0.25, 1.5),
    "Product defect": (15, 0.80, 0.30, 1.0),
    "Service attitude": (12, 0.95, 0.50, 0.9),
    "Refund": (13, 0.50, 0.35, 1.1),
}
# category|subcategory|English|Chinese: per category one inquiry row, then 3 complaint rows
TICKET_TEXT = """
Billing|Inquiry|Question about the items on my monthly bill|咨询本月账单明细
Billing|Overcharge|Charged more than my plan price|账单扣费错误，多收了费用
Billing|Double charge|Charged twice on my bill|同一笔费用被重复扣款
Billing|Unknown fee|An unknown fee appeared on my invoice|账单上出现不明收费
Network/quality|Inquiry|Asking how to set up the new router|咨询新路由器如何设置
Network/quality|No signal|No mobile signal at home|家里完全没有信号
Network/quality|Slow speed|Internet speed is far below my plan|网速远低于套餐标准
Network/quality|Outage|Broadband has been down for hours|宽带断网好几个小时
Delivery|Inquiry|Asking when my order will ship|询问订单什么时候发货
Delivery|Late delivery|My delivery is several days late|快递迟迟未送达
Delivery|Lost package|Package marked delivered but never arrived|显示已签收但没收到包裹
Delivery|Damaged package|The box arrived damaged|收到的包裹破损
Product defect|Inquiry|Asking how to claim warranty service|咨询保修服务流程
Product defect|Dead on arrival|The device does not turn on out of the box|新机开箱无法开机
Product defect|Stopped working|The device stopped working after a week|用了一周就坏了
Product defect|Battery|The battery drains very fast|电池耗电特别快
Service attitude|Inquiry|Feedback on my store visit|对营业厅服务提点建议
Service attitude|Rude staff|Store staff were rude to me|营业厅工作人员态度恶劣
Service attitude|Long wait|Waited over an hour on the hotline|客服热线等了一个多小时
Service attitude|Broken promise|The agent promised a callback that never came|客服说好回电却没有回复
Refund|Inquiry|Asking how long a refund takes|咨询退款需要多长时间
Refund|Refund delayed|My refund has still not arrived|退款迟迟没有到账
Refund|Refund rejected|My refund request was rejected without reason|退款申请被无故拒绝
Refund|Partial refund|Only part of the amount was refunded|只退了部分款项
"""
TAILS_EN = [".", ". Please fix this ASAP.", ". Third time reporting this.", ". Very disappointed."]
TAILS_ZH = [
    "。",
    "，请尽快处理。",
    "，已经反映过好几次了。",
    "，非常失望。",
]  # inquiries end with [0]
CHINESE_TEXT_SHARE = 0.55
OPEN_RECENT, OPEN_DECAY_DAYS, OPEN_STALE = 1.0, 28.0, 0.015  # P(open) = R * exp(-age / D) + S
CLOSED_AFTER_DAYS, CLOSED_SHARE = 7.0, 0.8  # resolved tickets later confirmed as closed
CSAT_BASE, CSAT_LATE_PENALTY, CSAT_NO_FCR_PENALTY, CSAT_NOISE = 4.45, 1.3, 0.35, 0.75
CSAT_UNANSWERED = 0.30

# id|name|channel|start|end|target segment|reach|treatment conversion|control conversion|
# response rate|promoted product|spend per treated contact
CAMPAIGN_TABLE = """
CMP01|5G upgrade spring push|SMS|2025-03-03|2025-03-30|All|0.50|0.12|0.06|0.30|5G plan upgrade|0.6
CMP02|Broadband loyalty mail|Email|2025-06-02|2025-06-29|Consumer|0.30|0.08|0.08|0.18|Fiber broadband 1000M|0.2
CMP03|Double 11 WeChat deals|WeChat|2025-10-20|2025-11-11|Consumer|0.35|0.15|0.11|0.35|Earbuds|0.8
CMP04|CNY family bundle|App push|2026-01-12|2026-02-08|Consumer|0.25|0.10|0.07|0.25|Family bundle|0.3
CMP05|SMB cloud starter|Account manager|2026-04-06|2026-05-03|SMB|0.30|0.14|0.09|0.40|Cloud storage|45
CMP06|Security review|Account manager|2026-07-06|2026-08-02|Enterprise|0.35|0.18|0.10|0.50|Managed security|120
"""  # noqa: E501
CAMPAIGNS = [row.split("|") for row in CAMPAIGN_TABLE.strip().splitlines()]
CONTROL_SHARE, ATTRIBUTION_DAYS = 0.10, 30  # campaigns are > 30 days apart, so never overlap

CN_SURNAMES, CN_GIVEN = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁",
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超华平婷宇浩欣怡涵鸣",
)
EN_FIRST = "James Mary John Linda David Emma Michael Sophia Daniel Olivia Kevin Grace Eric Amy"
EN_LAST = "Smith Chen Wang Brown Lee Johnson Zhang Taylor Liu Miller Wong Davis Lin Clark"
COMPANY_WORDS = "Huaxin Apex Everbright Jade Summit Orient Bluesky Greenfield Harmony Zhongtai"
COMPANY_TYPES = ["Trading Co.", "Technology Ltd.", "Logistics Co.", "Holdings", "Group"]
GOV_UNITS = ["Transport Bureau", "Health Commission", "Education Bureau", "Tax Office"]
CHINESE_NAME_SHARE, TWO_CHAR_GIVEN_SHARE = 0.70, 0.40
