"""Deterministic, seeded demo data: customers, orders, tickets, campaigns and contacts.

The data tells a story that the dashboard should surface (tests/test_demo.py proves each point):
Pareto revenue, segment and region differences, a Store-to-App channel shift, Nov/Dec and
Chinese-New-Year peaks, complainers churning more, SLA breaches hurting CSAT, and a campaign with
real uplift (CMP01) next to one with none (CMP02). All of it is vectorised numpy: no loop runs per
row or per customer, so 10 million orders take well under a minute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


def _pick(rng, table, key=None, size=None):
    """One column index per row of `key`, drawn with the weights in row `key` of `table`."""
    cum = np.cumsum(np.atleast_2d(np.asarray(table, dtype=float)), axis=1)
    cum = cum / cum[:, -1:]
    key = np.zeros(size, dtype=np.int64) if key is None else np.asarray(key, dtype=np.int64)
    flat = (cum + np.arange(len(cum))[:, None]).ravel()
    idx = np.searchsorted(flat, rng.random(len(key)) + key, side="right") - key * cum.shape[1]
    return np.minimum(idx, cum.shape[1] - 1)


def _strs(values, codes=None):
    """A pandas string array: `values` itself, or `values` taken at the integer `codes`."""
    if codes is None:
        return pd.array(np.asarray(values, dtype=object), dtype="str")
    return pd.array(pc.take(pa.array(list(values), pa.large_string()), codes), dtype="str")


def _ids(prefix, n, width):
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.large_string()), width, "0")
    prefix, sep = pa.scalar(prefix, pa.large_string()), pa.scalar("", pa.large_string())
    return pd.array(pc.binary_join_element_wise(prefix, digits, sep), dtype="str")


def _ts(days):
    """Float days since DEMO_START (NaN allowed) -> datetime64[ns], truncated to the second."""
    days = np.asarray(days, dtype=float)
    secs = np.floor(np.nan_to_num(days) * 86400).astype(np.int64)
    ns = np.where(np.isnan(days), np.iinfo(np.int64).min, DEMO_START.value + secs * 10**9)
    return ns.view("datetime64[ns]")


def _season_cdf():
    """Cumulative seasonal weight before each day: cdf[k] = sum(weight[:k]), length N_DAYS + 1."""
    days = pd.date_range(DEMO_START, periods=N_DAYS)
    w = np.asarray(MONTH_SEASON)[days.month - 1] * (1 + WEEKEND_BOOST * (days.day_of_week >= 5))
    for cny in pd.to_datetime(CNY_DATES):
        w = w + CNY_BOOST * np.exp(-0.5 * ((days - cny).days / CNY_WIDTH_DAYS) ** 2)
    w = w + DOUBLE_11_BOOST * ((days.month == 11) & (days.day == 11))
    return np.concatenate([[0.0], np.cumsum(w)])


def _days(rng, cdf, start, stop, u=None):
    """An integer day in [start, stop) per row, drawn with the seasonal weights (or quantile u)."""
    lo, hi = cdf[start], cdf[stop]
    u = rng.random(len(start)) if u is None else u
    return np.clip(np.searchsorted(cdf, lo + u * (hi - lo), side="right") - 1, start, stop - 1)


def _clock(rng, n):
    """Fraction of the day, following the hourly activity profile."""
    return np.minimum((_pick(rng, HOUR_WEIGHTS, size=n) + rng.random(n)) / 24, 1 - 1e-9)


def _customer_base(rng, n):
    seg, region = _pick(rng, SEGMENT_SHARE, size=n), _pick(rng, REGION_SHARE, size=n)
    n_cities = [len(c.split()) for c in CITIES]
    city_mask = [[1] * k + [0] * (max(n_cities) - k) for k in n_cities]
    city = np.cumsum([0, *n_cities])[region] + _pick(rng, city_mask, key=region)
    new = rng.random(n) < NEW_CUSTOMER_SHARE
    base_days = (DEMO_START - BASE_SINCE).days
    signup = np.where(new, rng.integers(0, N_DAYS, n), -rng.integers(1, base_days, n))
    person = rng.lognormal(0.0, VALUE_SIGMA, n)
    return {
        "n": n,
        "seg": seg,
        "region": region,
        "city": city,
        "signup": signup,
        "start": np.maximum(signup, 0),  # first day of activity inside the history
        "value": person * np.take(REGION_VALUE, region),
        "freq": rng.lognormal(0.0, FREQ_SIGMA, n) * np.take(SEGMENT_FREQ, seg),
        "plan": np.searchsorted([-0.25, 0.45], np.log(person) + rng.normal(0, 0.4, n)),
        "contract": _pick(rng, SEGMENT_CONTRACT, key=seg),
    }


def _names(rng, seg, city):
    def draw(words):
        return np.array(words, dtype=object)[rng.integers(0, len(words), len(seg))]

    two_chars = rng.random(len(seg)) < TWO_CHAR_GIVEN_SHARE
    cn = draw(list(CN_SURNAMES)) + draw(list(CN_GIVEN)) + np.where(two_chars, draw(list(CN_GIVEN)), "")
    en = draw(EN_FIRST.split()) + " " + draw(EN_LAST.split())
    person = np.where(rng.random(len(seg)) < CHINESE_NAME_SHARE, cn, en)
    company = draw(COMPANY_WORDS.split()) + " " + draw(COMPANY_TYPES)
    gov = np.array(" ".join(CITIES).split(), dtype=object)[city] + " " + draw(GOV_UNITS)
    return np.where(seg == 0, person, np.where(seg == 3, gov, company))


def _tickets(rng, c, cdf, m):
    """Tickets come first because complaints drive churn: sets c["churned"] and c["stop"]."""
    share, complaint_rate, fcr_rate, slowness = np.array(list(TICKET_CATEGORIES.values())).T
    weight = rng.gamma(TICKET_PROPENSITY_SHAPE, 1.0, c["n"]) * (N_DAYS - c["start"])
    cust = np.repeat(np.arange(c["n"]), rng.multinomial(m, weight / weight.sum()))
    cat = _pick(rng, share, size=m)
    complaint = rng.random(m) < complaint_rate[cat]
    u = rng.random(m)  # where the ticket falls inside the customer's active window

    # Complainers churn COMPLAINT_CHURN_LIFT times as often, and only after their first complaint.
    first_u = np.full(c["n"], np.inf)
    np.minimum.at(first_u, cust[complaint], u[complaint])
    complained = np.isfinite(first_u)
    end = np.full(c["n"], N_DAYS)
    first_day = _days(rng, cdf, c["start"], end, np.where(complained, first_u, 0.0))
    p_churn = np.take(CHURN_BASE, c["contract"]) * np.where(complained, COMPLAINT_CHURN_LIFT, 1)
    churned = (rng.random(c["n"]) < p_churn) & (c["start"] <= N_DAYS - MIN_LIFETIME_DAYS)
    lo = c["start"] + MIN_LIFETIME_DAYS
    lo = np.minimum(np.where(complained, np.maximum(lo, first_day + 1), lo), N_DAYS - 1)
    churn_day = lo + (rng.random(c["n"]) * (N_DAYS - lo)).astype(np.int64)
    c.update(churned=churned, stop=np.where(churned, churn_day, N_DAYS))

    # Same quantile u inside the (possibly shorter) window keeps the first complaint before churn.
    created = _days(rng, cdf, c["start"][cust], c["stop"][cust], u) + _clock(rng, m)
    prio = _pick(rng, PRIORITY_MIX, size=m)
    sla = SLA_HOURS[prio]
    fcr = rng.random(m) < fcr_rate[cat]
    response_h = FIRST_RESPONSE_MEDIAN_H[prio] * rng.lognormal(0.0, 0.7, m)
    work_h = sla * RESOLVE_SLA_RATIO * slowness[cat] * rng.lognormal(0.0, RESOLVE_SIGMA, m)
    resolve_h = np.maximum(work_h, response_h + 0.25)
    resolve_h = np.where(fcr, response_h + rng.uniform(0.05, 0.5, m), resolve_h)
    age = N_DAYS - created
    p_open = OPEN_RECENT * np.exp(-age / OPEN_DECAY_DAYS) + OPEN_STALE
    is_open = (resolve_h / 24 > age) | (rng.random(m) < p_open)
    closed = (age - resolve_h / 24 > CLOSED_AFTER_DAYS) & (rng.random(m) < CLOSED_SHARE)
    late = resolve_h > sla
    csat = CSAT_BASE - CSAT_LATE_PENALTY * late - CSAT_NO_FCR_PENALTY * ~fcr
    csat = np.clip(np.round(csat + rng.normal(0.0, CSAT_NOISE, m)), 1, 5)
    csat[is_open | (rng.random(m) < CSAT_UNANSWERED)] = np.nan
    responded_at = created + response_h / 24
    responded_at[responded_at > N_DAYS] = np.nan

    rows = np.array([r.split("|") for r in TICKET_TEXT.strip().splitlines()], dtype=object)
    row = cat * 4 + np.where(complaint, rng.integers(1, 4, m), 0)  # 4 rows per category
    zh = rng.random(m) < CHINESE_TEXT_SHARE
    tail = np.where(complaint, rng.integers(0, len(TAILS_EN), m), 0)
    text = np.where(zh, rows[row, 3], rows[row, 2]) + np.where(
        zh, np.array(TAILS_ZH, dtype=object)[tail], np.array(TAILS_EN, dtype=object)[tail]
    )
    o = np.argsort(created, kind="stable")
    return pd.DataFrame(
        {
            "ticket_id": _ids("T", m, 6),
            "customer_id": c["ids"].take(cust[o]),
            "created_at": _ts(created[o]),
            "first_response_at": _ts(responded_at[o]),
            "resolved_at": _ts(np.where(is_open, np.nan, created + resolve_h / 24)[o]),
            "due_at": _ts((created + sla / 24)[o]),
            "channel": _strs(TICKET_CHANNELS, _pick(rng, TICKET_CHANNEL_MIX, size=m)[o]),
            "category": _strs(TICKET_CATEGORIES, cat[o]),
            "subcategory": _strs(rows[:, 1], row[o]),
            "priority": _strs(PRIORITIES, prio[o]),
            "status": _strs(["resolved", "closed", "open"], np.where(is_open, 2, closed * 1)[o]),
            "is_complaint": complaint[o],
            "first_contact_resolved": (fcr & ~is_open)[o],
            "satisfaction": csat[o],
            "text": _strs(text[o]),
        }
    )


def _contacts(rng, c):
    """Per campaign, a random share of its active target customers, ~10% held out as control."""
    parts = []
    for k, row in enumerate(CAMPAIGNS):
        start, end, target, product = row[3], row[4], row[5], row[10]
        reach, conv_t, conv_c, respond = map(float, row[6:10])
        s, e = ((pd.Timestamp(d) - DEMO_START).days for d in (start, end))
        day = rng.integers(s, e + 1, c["n"])
        in_target = (c["seg"] == SEGMENTS.index(target)) if target in SEGMENTS else True
        active = (c["start"] <= day) & (day < c["stop"]) & in_target
        cust = np.flatnonzero(active & (rng.random(c["n"]) < reach))
        m = len(cust)
        t = day[cust] + (9 + 11 * rng.random(m)) / 24  # business hours
        control = rng.random(m) < CONTROL_SHARE
        converted, rank = np.zeros(m, dtype=bool), rng.random(m)
        for group, rate in ((control, conv_c), (~control, conv_t)):  # exact conversion rates
            idx = np.flatnonzero(group)
            converted[idx[np.argsort(rank[idx])][: round(rate * len(idx))]] = True
        responded = ~control & (converted | (rng.random(m) < respond))
        # The conversion purchase, inside the attribution window and before any churn.
        bought = t + 0.999 * rng.random(m) * np.minimum(ATTRIBUTION_DAYS, c["stop"][cust] - t)
        prod = np.full(m, [p[0] for p in PRODUCTS].index(product))
        parts.append((np.full(m, k), cust, t, control, responded, converted, bought, prod))
    return [np.concatenate(a) for a in zip(*parts, strict=True)]


def _orders(rng, c, cdf, n_orders, contacts):
    camp, ccust, contacted, control, _, converted, bought, cprod = contacts
    n_reg = max(n_orders - int(converted.sum()), 0)  # regular orders; conversions come on top
    weight = c["freq"] * (cdf[c["stop"]] - cdf[c["start"]])
    cust = np.repeat(np.arange(c["n"]), rng.multinomial(n_reg, weight / weight.sum()))
    t = _days(rng, cdf, c["start"][cust], c["stop"][cust]) + _clock(rng, n_reg)
    prod = _pick(rng, np.array([p[3:] for p in PRODUCTS]).T, key=c["seg"][cust])
    o = np.argsort(np.concatenate([t, bought[converted]]), kind="stable")
    cust = np.concatenate([cust, ccust[converted]])[o]
    t = np.concatenate([t, bought[converted]])[o]
    prod = np.concatenate([prod, cprod[converted]])[o]
    m, seg = len(o), c["seg"][cust]

    mix = [CHANNEL_MIX[s][late] for s in SEGMENTS for late in (0, 1)]
    channel = _pick(rng, mix, key=seg * 2 + (rng.random(m) < t / N_DAYS))
    qty = 1 + rng.poisson(np.take(SEGMENT_EXTRA_QTY, seg))
    price = np.array([p[2] for p in PRODUCTS], dtype=float)[prod] * c["value"][cust]
    unit = np.round(price * rng.uniform(0.85, 1.10, m), 2)
    amount = np.round(qty * unit, 2)
    status = np.where(o >= n_reg, 0, _pick(rng, ORDER_STATUS_MIX, size=m))
    pos = np.flatnonzero(o >= n_reg)
    revenue = np.zeros(len(camp))
    revenue[np.flatnonzero(converted)[o[pos] - n_reg]] = amount[pos]

    # Attribution: the customer's latest treatment contact at most ATTRIBUTION_DAYS earlier.
    span, sec = (N_DAYS + 1) * 86400, np.floor(t * 86400).astype(np.int64)
    contact_sec = np.floor(contacted * 86400).astype(np.int64)
    treated = np.flatnonzero(~control)
    key = ccust[treated] * span + contact_sec[treated]
    by_key = np.append(treated[np.argsort(key, kind="stable")], len(camp))  # + "no contact"
    j = by_key[np.searchsorted(np.sort(key), cust * span + sec, side="right") - 1]
    contact_cust, contact_sec = np.append(ccust, -1), np.append(contact_sec, 0)
    hit = (contact_cust[j] == cust) & (sec - contact_sec[j] <= ATTRIBUTION_DAYS * 86400)
    campaign = np.where(hit, np.append(camp, 0)[j], len(CAMPAIGNS))
    frame = pd.DataFrame(
        {
            "order_id": _ids("O", m, 7),
            "customer_id": c["ids"].take(cust),
            "order_date": _ts(t),
            "amount": amount,
            "quantity": qty,
            "unit_price": unit,
            "product": _strs([p[0] for p in PRODUCTS], prod),
            "category": _strs([p[1] for p in PRODUCTS], prod),
            "channel": _strs(CHANNELS, channel),
            "region": _strs(REGIONS, c["region"][cust]),
            "campaign_id": _strs([k[0] for k in CAMPAIGNS] + [None], campaign),
            "status": _strs(ORDER_STATUS, status),
        }
    )
    return frame, revenue


def generate(customers: int = 5000, orders: int = 120_000, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Return {"customers": df, "orders": df, "tickets": df, "campaigns": df, "contacts": df}."""
    if customers < 1 or orders < 0:
        raise ValueError(f"customers={customers} should be >= 1 and orders={orders} >= 0")
    rng, cdf = np.random.default_rng(seed), _season_cdf()
    c = _customer_base(rng, customers)
    c["ids"] = _ids("C", customers, 6)
    tickets = _tickets(rng, c, cdf, max(1, round(orders / ORDERS_PER_TICKET)))
    contacts = _contacts(rng, c)
    order_frame, revenue = _orders(rng, c, cdf, orders, contacts)

    seg, n, consumer = c["seg"], customers, c["seg"] == 0
    end = np.where(c["churned"], c["stop"], N_DAYS - 1)
    age = np.where(consumer, np.clip(np.round(rng.normal(38, 13, n)), 18, 85), np.nan)
    fee = np.take(PLAN_FEE, c["plan"]) * np.take(SEGMENT_FEE, seg) * rng.uniform(0.9, 1.1, n)
    industry = np.where(consumer, len(INDUSTRIES), _pick(rng, SEGMENT_INDUSTRY, key=seg))
    customer_frame = pd.DataFrame(
        {
            "customer_id": c["ids"],
            "name": _strs(_names(rng, seg, c["city"])),
            "signup_date": _ts(c["signup"]),
            "region": _strs(REGIONS, c["region"]),
            "city": _strs(" ".join(CITIES).split(), c["city"]),
            "segment": _strs(SEGMENTS, seg),
            "tier": _strs([None], np.zeros(n, dtype=np.int64)),  # left to the value-tier metric
            "industry": _strs([*INDUSTRIES, None], industry),
            "gender": _strs(["F", "M", None], np.where(consumer, rng.integers(0, 2, n), 2)),
            "age": pd.array(age, dtype="Int64"),
            "plan": _strs(PLANS, c["plan"]),
            "contract": _strs(CONTRACTS, c["contract"]),
            "tenure_months": ((end - c["signup"]) / 30.4375).astype(np.int64),
            "monthly_charges": np.round(fee, 2),
            "churned": c["churned"],
            "churn_date": _ts(np.where(c["churned"], c["stop"], np.nan)),
        }
    )
    camp, ccust, contacted, control, responded, converted = contacts[:6]
    contact_frame = pd.DataFrame(
        {
            "campaign_id": _strs([k[0] for k in CAMPAIGNS], camp),
            "customer_id": c["ids"].take(ccust),
            "contacted_at": _ts(contacted),
            "group": _strs(["treatment", "control"], control.astype(np.int64)),
            "responded": responded,
            "converted": converted,
            "revenue": revenue,
        }
    )
    treated = np.bincount(camp[~control], minlength=len(CAMPAIGNS))
    columns = list(zip(*CAMPAIGNS, strict=True))
    campaign_frame = pd.DataFrame(
        {
            "campaign_id": _strs(columns[0]),
            "name": _strs(columns[1]),
            "channel": _strs(columns[2]),
            "start_date": pd.to_datetime(columns[3]).astype("datetime64[ns]"),
            "end_date": pd.to_datetime(columns[4]).astype("datetime64[ns]"),
            "spend": np.round(treated * np.array(columns[11], dtype=float), 2),
            "target_segment": _strs(columns[5]),
        }
    )
    return {
        "customers": customer_frame,
        "orders": order_frame,
        "tickets": tickets,
        "campaigns": campaign_frame,
        "contacts": contact_frame,
    }
