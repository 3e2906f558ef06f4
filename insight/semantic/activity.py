"""Active customers over whole months without reading every order (issue 19).

Active customers are an exact distinct count, which no additive roll-up gives. Per data version
and row scope, two small tables are built on first use in the scratch catalog
(`facts.derived_table`, never in the file, so nothing is added to an import):

- masks: one row per customer, `m_all` the months it has a counted order in (bit k: k months
  before the data's last month) and `m_<code>` those it ordered through each channel, with the
  customer's region and segment where each customer's orders carry one value of them;
- cells: per month × region × segment, how many customers are active in it (`c_all`) and through
  each channel (`c_<code>`). Customers fall in one cell per month, so cells add up.

A period's active customers are then a bit test over the customers, a month's a sum of cells, and
the days of a period in a month it does not cover whole are read from the orders fact and united
with them by customer key. A query with other filters or splits (category, campaign, rfm...),
buckets below the month, overlapping periods, months beyond the masks or another engine reads
the fact as before (insight/semantic/query.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.db import facts
from insight.db.workspace import quote
from insight.semantic.scope import Scope

MEASURE = "active_customers"
MONTHS = 64  # months a mask holds (UBIGINT), back from the data's last month
MAX_CHANNELS = 60
SCHEMA = 1
#: Customer attributes the tables keep when every customer's orders carry one value of them.
CUSTOMER_DIMS = ("region", "segment")
ONE = "CAST(1 AS UBIGINT)"

Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Activity:
    masks: str
    cells: str
    last: int  # month number (year × 12 + month − 1) of the data's last month
    first: int  # the oldest month the masks hold
    oldest: int  # the month of the data's first order
    keys: int  # the largest customer key
    channels: dict[str, tuple[int, ...]]  # a channel's value (as filters and splits see it) -> codes
    dims: tuple[str, ...]  # customer attributes of both tables


def month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


def _mask(codes) -> str:
    return " | ".join(f"m_{c}" for c in codes) if codes else "CAST(0 AS UBIGINT)"


def _bits(months) -> str:
    """A literal of the months' bits (our own number, never user text)."""
    return f"CAST('{sum(1 << k for k in months)}' AS UBIGINT)"


def prepare(scope: Scope) -> Activity | None:
    """The scope's activity tables (built on first use), or None where they cannot serve."""
    ws, fact = scope.ws, scope.snap.tables.get("orders", "")
    if ws.engine is not None or not fact.startswith("_fact_orders") or not scope.customer_keys:
        return None
    if not scope.has("orders", "customer_id", "_cust", "_day", "_valid") or "orders" not in scope.spans:
        return None
    first_day, last_day = scope.spans["orders"]
    last = month_number(last_day)
    first = max(month_number(first_day), last - MONTHS + 1)
    channels: dict[str, tuple[int, ...]] = {}
    if scope.has("orders", "channel", "_channel_code"):
        names = facts.channel_names(ws, fact)
        if len(names) > MAX_CHANNELS or not all(isinstance(v, str) for v in names.values()):
            return None
        for code, name in sorted({**names, 0: "(none)"}.items()):  # 0: orders without a channel
            channels[name] = (*channels.get(name, ()), code)
    found = [d for d in CUSTOMER_DIMS if scope.has("orders", d)]
    codes = sorted(c for cs in channels.values() for c in cs)
    key = f"{scope.snap.rows or 'all'}x{first}x{last}"
    bit = f"{ONE} << CAST(? - (year(t._day) * 12 + month(t._day) - 1) AS UBIGINT)"
    # Each attribute, and whether the customer's orders carry one value of it (NULL counting as one).
    one = "min({d}) IS NOT DISTINCT FROM max({d}) AND count({d}) IN (0, count(*))"
    attrs = "".join(
        f", any_value({quote(d)}) AS {quote(d)}, {one.format(d=quote(d))} AS {quote('one_' + d)}" for d in found
    )
    per_channel = "".join(f", coalesce(bit_or(b) FILTER (WHERE ch = {c}), 0) AS m_{c}" for c in codes)
    cols = "".join(f", t.{quote(d)}" for d in found)
    code = "coalesce(t._channel_code, 0)" if channels else "0"
    masks_sql = (
        f"SELECT _cust{attrs}, bit_or(b) AS m_all{per_channel} FROM ("
        f"SELECT t._cust{cols}, {code} AS ch, {bit} AS b FROM {scope.table('orders')} t "
        f"WHERE t._valid AND t._cust IS NOT NULL AND t._day >= ?) o GROUP BY _cust"
    )
    masks = facts.derived_table(ws, "actm", SCHEMA, fact, key, masks_sql, [last, month_start(first)])
    dims = _constant(ws, masks, found)
    test = "(({m} >> CAST(r.k AS UBIGINT)) & {one}) = {one}"
    counts = "".join(f", count(*) FILTER (WHERE {test.format(m=f'm_{c}', one=ONE)}) AS c_{c}" for c in ("all", *codes))
    keep = "".join(f", m.{quote(d)}" for d in dims)
    cells_sql = f"SELECT r.k{keep}{counts} FROM {masks} m, range(0, {last - first + 1}) r(k) GROUP BY ALL"
    cells = facts.derived_table(ws, "actc", SCHEMA, fact, key, cells_sql, [])
    return Activity(masks, cells, last, first, month_number(first_day), scope.customer_keys, channels, dims)


def _constant(ws, masks: str, found: list[str]) -> tuple[str, ...]:
    """The attributes every customer's orders carry one value of (once per table)."""
    cache_key = f"{masks}:constant"
    if cache_key not in ws._facts_meta:
        checks = ", ".join(f"coalesce(bool_and({quote('one_' + d)}), true) AS {quote(d)}" for d in found)
        row = ws.query(f"SELECT {checks} FROM {masks}").iloc[0] if found else {}
        ws._facts_meta[cache_key] = tuple(d for d in found if bool(row[d]))
    return ws._facts_meta[cache_key]


def serves(scope: Scope, dimensions: tuple[str, ...], grain: str | None, periods: list) -> bool:
    """Whether the tables can give the query's active customers (before building them)."""
    if grain not in (None, "month") or scope.ws.engine is not None:
        return False
    keys = {k for k, _ in scope.filters.dims} | set(dimensions)
    if not keys <= {"channel", *CUSTOMER_DIMS}:
        return False
    dated = sorted(p for p in periods if p is not None)
    return bool(dated) and all(a[1] < b[0] for a, b in zip(dated, dated[1:], strict=False))


def whole_months(period: Period) -> tuple[int, int]:
    """The first and last month the period covers whole (first > last: none)."""
    start, end = period
    first = month_number(start) + (start.day != 1)
    last = month_number(end) - ((end + dt.timedelta(days=1)).day != 1)
    return first, last


def edges(period: Period) -> list[Period]:
    """The days of the period outside the months it covers whole."""
    first, last = whole_months(period)
    if first > last:
        return [period]
    out = []
    if period[0] < month_start(first):
        out.append((period[0], month_start(first) - dt.timedelta(days=1)))
    after = month_start(last + 1)
    if period[1] >= after:
        out.append((after, period[1]))
    return out


def run(scope: Scope, dimensions: tuple[str, ...], grain: str | None, periods: list) -> pd.DataFrame | None:
    """Active customers per period (and per month with grain `month`) and value of `dimensions`:
    the columns period_index, *dimensions, [bucket], active_customers. None where the tables
    cannot serve (the caller reads the fact)."""
    act = prepare(scope) if serves(scope, dimensions, grain, periods) else None
    if act is None or not set(dimensions) - {"channel"} <= set(act.dims):
        return None
    if any(k not in act.dims and k != "channel" for k, _ in scope.filters.dims):
        return None
    if "channel" in dimensions or scope.filters.values("channel"):
        if not act.channels:
            return None
    dated = [(i, p) for i, p in enumerate(periods) if p is not None]
    for _, p in dated:
        first, last = whole_months(p)
        if first <= last and first < act.first and act.first > act.oldest:  # older than the masks hold
            return None
    groups = _groups(act, scope, dimensions)
    if grain is None:
        return _totals(scope, act, dimensions, dated, groups)
    return _monthly(scope, act, dimensions, dated, groups)


def _groups(act: Activity, scope: Scope, dimensions) -> dict[str | None, tuple[int, ...] | None]:
    """The channel groups to count: {value shown: codes} (None: every channel)."""
    chosen = scope.filters.values("channel")
    if "channel" in dimensions:
        return {n: cs for n, cs in act.channels.items() if not chosen or n in chosen}
    if chosen:
        return {None: tuple(c for n in chosen for c in act.channels.get(n, ()))}
    return {None: None}


def _attr_where(scope: Scope, act: Activity, alias: str) -> tuple[str, list]:
    clauses, params = ["true"], []
    for key, values in scope.filters.dims:
        if key in act.dims:
            clauses.append(f"CAST({alias}.{quote(key)} AS VARCHAR) IN ({', '.join('?' for _ in values)})")
            params += list(values)
    return " AND ".join(clauses), params


def _dim_cols(dimensions, alias: str, group: str | None) -> str:
    out = []
    for d in dimensions:
        if d == "channel":
            out.append(f"{_literal(group)} AS channel")
        else:
            out.append(f"coalesce(CAST({alias}.{quote(d)} AS VARCHAR), '(none)') AS {quote(d)}")
    return "".join(f", {c}" for c in out)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _totals(scope, act, dimensions, dated, groups) -> pd.DataFrame:
    """Per period: the customers active in its whole months (masks) united with those of its
    edge days (the fact), by customer key. A period of whole months alone counts the masks' rows
    (a row per customer): the bitmap union of the keys took twice the CPU."""
    parts: dict[bool, tuple[list[str], list]] = {True: ([], []), False: ([], [])}  # united?: (parts, params)
    where, wparams = _attr_where(scope, act, "m")
    for i, p in dated:
        first, last = whole_months(p)
        months = [act.last - m for m in range(max(first, act.first), min(last, act.last) + 1)]
        into, params = parts[bool(edges(p))]  # (a period with edge days unites masks and days)
        for group, codes in groups.items():
            if months:
                mask = "m_all" if codes is None else _mask(codes)
                into.append(
                    f"SELECT {i} AS period_index{_dim_cols(dimensions, 'm', group)}, m._cust FROM {act.masks} m "
                    f"WHERE ({mask}) & {_bits(months)} <> 0 AND {where}"
                )
                params += wparams
        for start, end in edges(p):
            fwhere, fparams = scope.where("orders", period=False)
            dims = "".join(f", coalesce(CAST(t.{quote(d)} AS VARCHAR), '(none)') AS {quote(d)}" for d in dimensions)
            into.append(
                f"SELECT {i} AS period_index{dims}, t._cust FROM {scope.table('orders')} t WHERE {fwhere} "
                "AND t._valid AND t._cust IS NOT NULL AND t.order_date >= ? AND t.order_date < ?"
            )
            params += [*fparams, start, end + dt.timedelta(days=1)]
    keys = ["period_index", *dimensions]
    group_by = ", ".join(quote(k) for k in keys)
    count = {False: "count(*)", True: f"bit_count(bitstring_agg(_cust, 1, {act.keys}))"}
    selects = [
        (f"SELECT {group_by}, {count[united]} AS {MEASURE} FROM ({' UNION ALL '.join(found)}) u GROUP BY {group_by}", p)
        for united, (found, p) in parts.items()
        if found
    ]
    if not selects:
        return pd.DataFrame(columns=[*keys, MEASURE])
    return scope.query(" UNION ALL ".join(sql for sql, _ in selects), [x for _, p in selects for x in p])


def _monthly(scope, act, dimensions, dated, groups) -> pd.DataFrame:
    """Per whole month, summed cells (or counted masks where several channel codes are united);
    per month the period covers in part, the fact."""
    from insight.semantic import metrics, query  # query builds on this module

    keys = ["period_index", *dimensions, "bucket"]
    frames = []
    attrs = [d for d in dimensions if d != "channel"]
    for i, p in dated:
        first, last = whole_months(p)
        months = list(range(max(first, act.first), min(last, act.last) + 1))
        if months:
            frames.append(_whole(scope, act, i, months, attrs, dimensions, groups))
        if parts := edges(p):
            q = query.Query((MEASURE,), tuple(dimensions), grain="month", periods=tuple(parts))
            edge = query.scan(scope, q, "orders", True, [metrics.REGISTRY[MEASURE]], parts)
            if edge is not None and len(edge):
                frames.append(edge.assign(period_index=i))
    if not frames:
        return pd.DataFrame(columns=[*keys, MEASURE])
    # (whole months alone, the usual period: one frame, as it is where no count is 0)
    out = frames[0][[*keys, MEASURE]] if len(frames) == 1 else pd.concat([f[[*keys, MEASURE]] for f in frames])
    counted = out[MEASURE].to_numpy() > 0
    return out.reset_index(drop=True) if counted.all() else out[counted].reset_index(drop=True)


def _whole(scope, act, index: int, months: list[int], attrs, dimensions, groups) -> pd.DataFrame:
    """Whole months: summed cells, or where a group unites several channel codes, the customers
    whose united masks hold the month."""
    where, params = _attr_where(scope, act, "t")
    ks = [act.last - m for m in months]
    select_attrs = "".join(f", coalesce(CAST(t.{quote(d)} AS VARCHAR), '(none)') AS {quote(d)}" for d in attrs)
    by = "".join(f", {n + 2}" for n in range(len(attrs)))
    if all(codes is None or len(codes) == 1 for codes in groups.values()):  # one cell column each
        cols = ["c_all" if codes is None else f"c_{codes[0]}" for codes in groups.values()]
        sums = "".join(f", sum({c}) AS g{n}" for n, c in enumerate(cols))
        found = ", ".join(map(str, ks))
        sql = f"SELECT t.k{select_attrs}{sums} FROM {act.cells} t WHERE t.k IN ({found}) AND {where} GROUP BY 1{by}"
        wide = scope.query(sql, params)
        picks = [(n, None, f"g{n}") for n in range(len(cols))]
    else:
        counts = [
            f"count(*) FILTER (WHERE ({_mask(codes)}) & {_bits([k])} <> 0) AS g{n}_{k}"
            for n, codes in enumerate(groups.values())
            for k in ks
        ]
        sql = f"SELECT 1 AS one{select_attrs}, {', '.join(counts)} FROM {act.masks} t WHERE {where} GROUP BY 1{by}"
        wide = scope.query(sql, params)
        picks = [(n, k, f"g{n}_{k}") for n in range(len(groups)) for k in ks]
    # One row per row of `wide` and pick (group n, month k, its count): a few hundred rows, stacked
    # column by column (a frame per pick was most of the Channel mix's trend).
    rows = len(wide)
    # (no pick: a filter on channels the data does not have)
    month = np.concatenate(
        [np.empty(0, "int64")] + [wide["k"].to_numpy() if k is None else np.full(rows, k) for _, k, _ in picks]
    )
    starts = {k: month_start(act.last - int(k)) for k in set(month.tolist())}
    columns = {"period_index": np.full(rows * len(picks), index, dtype="int64")}
    for d in dimensions:
        if d == "channel":
            names = np.array(list(groups), dtype=object)
            columns[d] = names[np.repeat(np.array([n for n, _, _ in picks], dtype="int64"), rows)]
        else:
            columns[d] = np.tile(wide[d].to_numpy(), len(picks))
    columns["bucket"] = pd.to_datetime([starts[k] for k in month.tolist()]).astype("datetime64[us]")
    counts = pd.Series(np.concatenate([np.empty(0, "int64")] + [wide[c].to_numpy() for _, _, c in picks]))
    columns[MEASURE] = counts.fillna(0).astype("int64").to_numpy()
    return pd.DataFrame(columns)
