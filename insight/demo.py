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

from insight import demo_world as world


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
    """Float days since world.DEMO_START (NaN allowed) -> datetime64[ns], truncated to the second."""
    days = np.asarray(days, dtype=float)
    secs = np.floor(np.nan_to_num(days) * 86400).astype(np.int64)
    ns = np.where(np.isnan(days), np.iinfo(np.int64).min, world.DEMO_START.value + secs * 10**9)
    return ns.view("datetime64[ns]")


def _season_cdf():
    """Cumulative seasonal weight before each day: cdf[k] = sum(weight[:k]), length world.N_DAYS + 1."""
    days = pd.date_range(world.DEMO_START, periods=world.N_DAYS)
    w = np.asarray(world.MONTH_SEASON)[days.month - 1] * (1 + world.WEEKEND_BOOST * (days.day_of_week >= 5))
    for cny in pd.to_datetime(world.CNY_DATES):
        w = w + world.CNY_BOOST * np.exp(-0.5 * ((days - cny).days / world.CNY_WIDTH_DAYS) ** 2)
    w = w + world.DOUBLE_11_BOOST * ((days.month == 11) & (days.day == 11))
    return np.concatenate([[0.0], np.cumsum(w)])


def _days(rng, cdf, start, stop, u=None):
    """An integer day in [start, stop) per row, drawn with the seasonal weights (or quantile u)."""
    lo, hi = cdf[start], cdf[stop]
    u = rng.random(len(start)) if u is None else u
    return np.clip(np.searchsorted(cdf, lo + u * (hi - lo), side="right") - 1, start, stop - 1)


def _clock(rng, n):
    """Fraction of the day, following the hourly activity profile."""
    return np.minimum((_pick(rng, world.HOUR_WEIGHTS, size=n) + rng.random(n)) / 24, 1 - 1e-9)


def _customer_base(rng, n):
    seg, region = _pick(rng, world.SEGMENT_SHARE, size=n), _pick(rng, world.REGION_SHARE, size=n)
    n_cities = [len(c.split()) for c in world.CITIES]
    city_mask = [[1] * k + [0] * (max(n_cities) - k) for k in n_cities]
    city = np.cumsum([0, *n_cities])[region] + _pick(rng, city_mask, key=region)
    new = rng.random(n) < world.NEW_CUSTOMER_SHARE
    base_days = (world.DEMO_START - world.BASE_SINCE).days
    signup = np.where(new, rng.integers(0, world.N_DAYS, n), -rng.integers(1, base_days, n))
    person = rng.lognormal(0.0, world.VALUE_SIGMA, n)
    return {
        "n": n,
        "seg": seg,
        "region": region,
        "city": city,
        "signup": signup,
        "start": np.maximum(signup, 0),  # first day of activity inside the history
        "value": person * np.take(world.REGION_VALUE, region),
        "freq": rng.lognormal(0.0, world.FREQ_SIGMA, n) * np.take(world.SEGMENT_FREQ, seg),
        "plan": np.searchsorted([-0.25, 0.45], np.log(person) + rng.normal(0, 0.4, n)),
        "contract": _pick(rng, world.SEGMENT_CONTRACT, key=seg),
    }


def _names(rng, seg, city):
    def draw(words):
        return np.array(words, dtype=object)[rng.integers(0, len(words), len(seg))]

    two_chars = rng.random(len(seg)) < world.TWO_CHAR_GIVEN_SHARE
    cn = (
        draw(list(world.CN_SURNAMES)) + draw(list(world.CN_GIVEN)) + np.where(two_chars, draw(list(world.CN_GIVEN)), "")
    )
    en = draw(world.EN_FIRST.split()) + " " + draw(world.EN_LAST.split())
    person = np.where(rng.random(len(seg)) < world.CHINESE_NAME_SHARE, cn, en)
    company = draw(world.COMPANY_WORDS.split()) + " " + draw(world.COMPANY_TYPES)
    gov = np.array(" ".join(world.CITIES).split(), dtype=object)[city] + " " + draw(world.GOV_UNITS)
    return np.where(seg == 0, person, np.where(seg == 3, gov, company))


def _tickets(rng, c, cdf, m):
    """Tickets come first because complaints drive churn: sets c["churned"] and c["stop"]."""
    share, complaint_rate, fcr_rate, slowness = np.array(list(world.TICKET_CATEGORIES.values())).T
    weight = rng.gamma(world.TICKET_PROPENSITY_SHAPE, 1.0, c["n"]) * (world.N_DAYS - c["start"])
    cust = np.repeat(np.arange(c["n"]), rng.multinomial(m, weight / weight.sum()))
    cat = _pick(rng, share, size=m)
    complaint = rng.random(m) < complaint_rate[cat]
    u = rng.random(m)  # where the ticket falls inside the customer's active window

    # Complainers churn world.COMPLAINT_CHURN_LIFT times as often, and only after their first complaint.
    first_u = np.full(c["n"], np.inf)
    np.minimum.at(first_u, cust[complaint], u[complaint])
    complained = np.isfinite(first_u)
    end = np.full(c["n"], world.N_DAYS)
    first_day = _days(rng, cdf, c["start"], end, np.where(complained, first_u, 0.0))
    p_churn = np.take(world.CHURN_BASE, c["contract"]) * np.where(complained, world.COMPLAINT_CHURN_LIFT, 1)
    churned = (rng.random(c["n"]) < p_churn) & (c["start"] <= world.N_DAYS - world.MIN_LIFETIME_DAYS)
    lo = c["start"] + world.MIN_LIFETIME_DAYS
    lo = np.minimum(np.where(complained, np.maximum(lo, first_day + 1), lo), world.N_DAYS - 1)
    churn_day = lo + (rng.random(c["n"]) * (world.N_DAYS - lo)).astype(np.int64)
    c.update(churned=churned, stop=np.where(churned, churn_day, world.N_DAYS))

    # Same quantile u inside the (possibly shorter) window keeps the first complaint before churn.
    created = _days(rng, cdf, c["start"][cust], c["stop"][cust], u) + _clock(rng, m)
    prio = _pick(rng, world.PRIORITY_MIX, size=m)
    sla = world.SLA_HOURS[prio]
    fcr = rng.random(m) < fcr_rate[cat]
    response_h = world.FIRST_RESPONSE_MEDIAN_H[prio] * rng.lognormal(0.0, 0.7, m)
    work_h = sla * world.RESOLVE_SLA_RATIO * slowness[cat] * rng.lognormal(0.0, world.RESOLVE_SIGMA, m)
    resolve_h = np.maximum(work_h, response_h + 0.25)
    resolve_h = np.where(fcr, response_h + rng.uniform(0.05, 0.5, m), resolve_h)
    age = world.N_DAYS - created
    p_open = world.OPEN_RECENT * np.exp(-age / world.OPEN_DECAY_DAYS) + world.OPEN_STALE
    is_open = (resolve_h / 24 > age) | (rng.random(m) < p_open)
    closed = (age - resolve_h / 24 > world.CLOSED_AFTER_DAYS) & (rng.random(m) < world.CLOSED_SHARE)
    late = resolve_h > sla
    csat = world.CSAT_BASE - world.CSAT_LATE_PENALTY * late - world.CSAT_NO_FCR_PENALTY * ~fcr
    csat = np.clip(np.round(csat + rng.normal(0.0, world.CSAT_NOISE, m)), 1, 5)
    csat[is_open | (rng.random(m) < world.CSAT_UNANSWERED)] = np.nan
    responded_at = created + response_h / 24
    responded_at[responded_at > world.N_DAYS] = np.nan

    rows = np.array([r.split("|") for r in world.TICKET_TEXT.strip().splitlines()], dtype=object)
    row = cat * 4 + np.where(complaint, rng.integers(1, 4, m), 0)  # 4 rows per category
    zh = rng.random(m) < world.CHINESE_TEXT_SHARE
    tail = np.where(complaint, rng.integers(0, len(world.TAILS_EN), m), 0)
    text = np.where(zh, rows[row, 3], rows[row, 2]) + np.where(
        zh, np.array(world.TAILS_ZH, dtype=object)[tail], np.array(world.TAILS_EN, dtype=object)[tail]
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
            "channel": _strs(world.TICKET_CHANNELS, _pick(rng, world.TICKET_CHANNEL_MIX, size=m)[o]),
            "category": _strs(world.TICKET_CATEGORIES, cat[o]),
            "subcategory": _strs(rows[:, 1], row[o]),
            "priority": _strs(world.PRIORITIES, prio[o]),
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
    for k, row in enumerate(world.CAMPAIGNS):
        start, end, target, product = row[3], row[4], row[5], row[10]
        reach, conv_t, conv_c, respond = map(float, row[6:10])
        s, e = ((pd.Timestamp(d) - world.DEMO_START).days for d in (start, end))
        day = rng.integers(s, e + 1, c["n"])
        in_target = (c["seg"] == world.SEGMENTS.index(target)) if target in world.SEGMENTS else True
        active = (c["start"] <= day) & (day < c["stop"]) & in_target
        cust = np.flatnonzero(active & (rng.random(c["n"]) < reach))
        m = len(cust)
        t = day[cust] + (9 + 11 * rng.random(m)) / 24  # business hours
        control = rng.random(m) < world.CONTROL_SHARE
        converted, rank = np.zeros(m, dtype=bool), rng.random(m)
        for group, rate in ((control, conv_c), (~control, conv_t)):  # exact conversion rates
            idx = np.flatnonzero(group)
            converted[idx[np.argsort(rank[idx])][: round(rate * len(idx))]] = True
        responded = ~control & (converted | (rng.random(m) < respond))
        # The conversion purchase, inside the attribution window and before any churn.
        bought = t + 0.999 * rng.random(m) * np.minimum(world.ATTRIBUTION_DAYS, c["stop"][cust] - t)
        prod = np.full(m, [p[0] for p in world.PRODUCTS].index(product))
        parts.append((np.full(m, k), cust, t, control, responded, converted, bought, prod))
    return [np.concatenate(a) for a in zip(*parts, strict=True)]


def _orders(rng, c, cdf, n_orders, contacts):
    camp, ccust, contacted, control, _, converted, bought, cprod = contacts
    n_reg = max(n_orders - int(converted.sum()), 0)  # regular orders; conversions come on top
    weight = c["freq"] * (cdf[c["stop"]] - cdf[c["start"]])
    cust = np.repeat(np.arange(c["n"]), rng.multinomial(n_reg, weight / weight.sum()))
    t = _days(rng, cdf, c["start"][cust], c["stop"][cust]) + _clock(rng, n_reg)
    prod = _pick(rng, np.array([p[3:] for p in world.PRODUCTS]).T, key=c["seg"][cust])
    o = np.argsort(np.concatenate([t, bought[converted]]), kind="stable")
    cust = np.concatenate([cust, ccust[converted]])[o]
    t = np.concatenate([t, bought[converted]])[o]
    prod = np.concatenate([prod, cprod[converted]])[o]
    m, seg = len(o), c["seg"][cust]

    mix = [world.CHANNEL_MIX[s][late] for s in world.SEGMENTS for late in (0, 1)]
    channel = _pick(rng, mix, key=seg * 2 + (rng.random(m) < t / world.N_DAYS))
    qty = 1 + rng.poisson(np.take(world.SEGMENT_EXTRA_QTY, seg))
    price = np.array([p[2] for p in world.PRODUCTS], dtype=float)[prod] * c["value"][cust]
    unit = np.round(price * rng.uniform(0.85, 1.10, m), 2)
    amount = np.round(qty * unit, 2)
    status = np.where(o >= n_reg, 0, _pick(rng, world.ORDER_STATUS_MIX, size=m))
    pos = np.flatnonzero(o >= n_reg)
    revenue = np.zeros(len(camp))
    revenue[np.flatnonzero(converted)[o[pos] - n_reg]] = amount[pos]

    # Attribution: the customer's latest treatment contact at most world.ATTRIBUTION_DAYS earlier.
    span, sec = (world.N_DAYS + 1) * 86400, np.floor(t * 86400).astype(np.int64)
    contact_sec = np.floor(contacted * 86400).astype(np.int64)
    treated = np.flatnonzero(~control)
    key = ccust[treated] * span + contact_sec[treated]
    by_key = np.append(treated[np.argsort(key, kind="stable")], len(camp))  # + "no contact"
    j = by_key[np.searchsorted(np.sort(key), cust * span + sec, side="right") - 1]
    contact_cust, contact_sec = np.append(ccust, -1), np.append(contact_sec, 0)
    hit = (contact_cust[j] == cust) & (sec - contact_sec[j] <= world.ATTRIBUTION_DAYS * 86400)
    campaign = np.where(hit, np.append(camp, 0)[j], len(world.CAMPAIGNS))
    frame = pd.DataFrame(
        {
            "order_id": _ids("O", m, 7),
            "customer_id": c["ids"].take(cust),
            "order_date": _ts(t),
            "amount": amount,
            "quantity": qty,
            "unit_price": unit,
            "product": _strs([p[0] for p in world.PRODUCTS], prod),
            "category": _strs([p[1] for p in world.PRODUCTS], prod),
            "channel": _strs(world.CHANNELS, channel),
            "region": _strs(world.REGIONS, c["region"][cust]),
            "campaign_id": _strs([k[0] for k in world.CAMPAIGNS] + [None], campaign),
            "status": _strs(world.ORDER_STATUS, status),
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
    tickets = _tickets(rng, c, cdf, max(1, round(orders / world.ORDERS_PER_TICKET)))
    contacts = _contacts(rng, c)
    order_frame, revenue = _orders(rng, c, cdf, orders, contacts)

    seg, n, consumer = c["seg"], customers, c["seg"] == 0
    end = np.where(c["churned"], c["stop"], world.N_DAYS - 1)
    age = np.where(consumer, np.clip(np.round(rng.normal(38, 13, n)), 18, 85), np.nan)
    fee = np.take(world.PLAN_FEE, c["plan"]) * np.take(world.SEGMENT_FEE, seg) * rng.uniform(0.9, 1.1, n)
    industry = np.where(consumer, len(world.INDUSTRIES), _pick(rng, world.SEGMENT_INDUSTRY, key=seg))
    customer_frame = pd.DataFrame(
        {
            "customer_id": c["ids"],
            "name": _strs(_names(rng, seg, c["city"])),
            "signup_date": _ts(c["signup"]),
            "region": _strs(world.REGIONS, c["region"]),
            "city": _strs(" ".join(world.CITIES).split(), c["city"]),
            "segment": _strs(world.SEGMENTS, seg),
            "tier": _strs([None], np.zeros(n, dtype=np.int64)),  # left to the value-tier metric
            "industry": _strs([*world.INDUSTRIES, None], industry),
            "gender": _strs(["F", "M", None], np.where(consumer, rng.integers(0, 2, n), 2)),
            "age": pd.array(age, dtype="Int64"),
            "plan": _strs(world.PLANS, c["plan"]),
            "contract": _strs(world.CONTRACTS, c["contract"]),
            "tenure_months": ((end - c["signup"]) / 30.4375).astype(np.int64),
            "monthly_charges": np.round(fee, 2),
            "churned": c["churned"],
            "churn_date": _ts(np.where(c["churned"], c["stop"], np.nan)),
        }
    )
    camp, ccust, contacted, control, responded, converted = contacts[:6]
    contact_frame = pd.DataFrame(
        {
            "campaign_id": _strs([k[0] for k in world.CAMPAIGNS], camp),
            "customer_id": c["ids"].take(ccust),
            "contacted_at": _ts(contacted),
            "group": _strs(["treatment", "control"], control.astype(np.int64)),
            "responded": responded,
            "converted": converted,
            "revenue": revenue,
        }
    )
    treated = np.bincount(camp[~control], minlength=len(world.CAMPAIGNS))
    columns = list(zip(*world.CAMPAIGNS, strict=True))
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
