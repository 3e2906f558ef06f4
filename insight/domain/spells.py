"""Churn spells (insight/domain/churn.py, behavioural definition): runs of a customer's counted
orders at most N days apart.

Three ways to the same spells:

- **customer days** (DuckDB): every counted order as (customer key, day, a code of its region,
  segment, channel, category and product), sorted by customer and day, read on first use per
  data version and row scope into arrays held in memory (about 10 bytes an order). A filter is a
  list of codes: the days it keeps are a lookup of their codes, and the spells for any N one pass
  over them (a day more than N days after its customer's previous kept day starts one), whether
  the filters keep each customer's orders whole or split them (a channel, a category);
- **the fact** (another engine, or a customer lookup such as the value tier): where customers are
  kept whole, the fact's previous and last order days and one window over the starts;
- otherwise the previous day is recomputed by windows over the orders kept.

Spells are computed once per N and filter set into the process's scratch catalog (never the
file): the trend, its comparison, the breakdown, survival and the complaints split all read them.
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pyarrow as pa

from insight.db import dialect, facts
from insight.db.workspace import Workspace, quote
from insight.semantic.filters import DIMENSIONS, Filters
from insight.semantic.scope import Scope

SCHEMA = 7  # in the spell tables' names: bump whenever their SQL changes

#: Filter dimensions that keep or drop a customer's orders whole wherever they come from (their
#: source on the orders is a lookup through the customer).
_CUSTOMER_LOOKUPS = ("rfm", "tier", "campaign")
#: Filter dimensions read from the orders' own columns: the customer days accelerator codes them.
_ORDER_COLUMNS = tuple(d.key for d in DIMENSIONS if d.key in d.sources.get("orders", ()))


def cte(scope: Scope, n: int, cond: str, params: list) -> tuple[str, list]:
    """(a CTE `spells(_cust, start, lapse, first_month, last_month)`, its params): runs
    of the orders `t` where `cond` holds (`params`) at most `n` days apart, with `lapse` = the
    run's last order + N days (in the future while the run is open), `first_month` the first month
    whose start the spell is active at (the month after its start) and `last_month` the month its
    lapse falls in: active at the start of every month between them.

    An order more than N days after the customer's previous kept one starts a spell; a spell ends
    with the order before the next start, or with the customer's last kept order. The customer
    key alone: a reader that needs the customer_id joins `facts.customer_ids` to the spells it
    keeps (several times cheaper than carrying the id text into every spell)."""
    n = int(n)
    orders = scope.table("orders")
    frame = None
    if (codes := _codes(scope)) is not None:
        frame = lambda: _runs(*_kept_days(scope, codes), n)  # noqa: E731
        sql, args = "SELECT _cust, start, lapse, first_month, last_month FROM _frame", []
    else:
        sql, args = (_from_fact(scope, n, cond) if whole_customers(scope) else _recomputed(scope, n, cond)), params
        first = dialect.as_date(dialect.plus_month(dialect.trunc("month", "s.start")))
        sql = f"SELECT s.*, {first} AS first_month, {dialect.trunc('month', 's.lapse')} AS last_month FROM ({sql}) s"
    digest = hashlib.sha1(repr((orders, cond, params)).encode()).hexdigest()[:12]
    fact = scope.snap.tables["orders"]
    table = facts.derived_table(scope.ws, "spl", SCHEMA, fact, f"{n}x{digest}", sql, args, frame=frame)
    return f"spells AS (SELECT * FROM {table})", []


def _gap(a: str, b: str, n: int) -> str:
    """Whether day `b` comes more than `n` days after day `a`, or there is no `a`."""
    return f"({a} IS NULL OR {dialect.days_between(a, b)} > {n})"


def _from_fact(scope: Scope, n: int, cond: str) -> str:
    """Spells where each customer's orders are kept whole: the fact's previous and last order days."""
    starts = (
        f"SELECT t._cust, t._day AS d, t._prev_day AS prev, t._last_day AS last_all "
        f"FROM {scope.table('orders')} t WHERE {cond} AND {_gap('t._prev_day', 't._day', n)}"
    )
    return _paired(starts, n)


def _paired(starts: str, n: int) -> str:
    """Spells from their starts (`_cust, d, prev, last_all`): each lapses N days after the order
    before the customer's next start, or after their last order."""
    lapse = dialect.plus_days("coalesce(lead(s.prev) OVER (PARTITION BY s._cust ORDER BY s.d), s.last_all)", n)
    return f"SELECT s._cust, s.d AS start, {lapse} AS lapse FROM ({starts}) s"


def _recomputed(scope: Scope, n: int, cond: str) -> str:
    """Spells of any kept orders, by windows over them (every engine)."""
    starts = (
        f"SELECT * FROM (SELECT t._cust, t._day AS d, "
        f"lag(t._day) OVER (PARTITION BY t._cust ORDER BY t._day) AS prev, "
        f"max(t._day) OVER (PARTITION BY t._cust) AS last_all FROM {scope.table('orders')} t WHERE {cond}) o "
        f"WHERE {_gap('prev', 'd', n)}"
    )
    return _paired(starts, n)


_HELD = threading.Lock()


def _arrays(scope: Scope, days: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The customer days (`days`: the SQL giving them, as `_accelerator` says) as arrays: customer
    key, day number and code, sorted by customer and day; computed on first use and held for the
    last two versions or row scopes in use (about 10 bytes an order). Filtering them and finding
    runs is several times faster than SQL windows over a table of them."""
    meta = scope.ws._facts_meta
    with _HELD:
        held: dict = meta.setdefault("_spell_arrays", {})
        if days not in held:
            with scope.ws.cursor() as cur:
                found = cur.execute(days).fetchnumpy()
            cust, day, code = (np.asarray(found[c]) for c in ("_cust", "d", "_k"))
            later = (cust[1:] > cust[:-1]) | ((cust[1:] == cust[:-1]) & (day[1:] >= day[:-1]))
            if not later.all():  # (the query sorts them, as a rule)
                order = np.lexsort((day, cust))
                cust, day, code = cust[order], day[order], code[order]
            while len(held) >= 2:
                held.pop(next(iter(held)))
            held[days] = (cust, day, code)
        return held[days]


def warm(ws: Workspace) -> None:
    """Read the customer days of every row into memory, judge which coded columns no customer's
    orders change and key the customer ids, once per data version (the server's warm-up,
    insight/serve.py, and the page bench's): the first behavioural churn view and the first
    filtered one do not wait for them (about 2 s of CPU at 10M orders). (The administrators' rows:
    two row scopes' arrays are held.)"""
    scope = Scope.open(ws, Filters())
    if (found := _accelerator(scope)) is not None:
        _arrays(scope, found[0])
        _constant(scope)
        facts.customer_ids(scope.ws, scope.snap)


def _kept_days(scope: Scope, codes: tuple[str, list[int] | None]) -> tuple[np.ndarray, np.ndarray]:
    """(customer keys, day numbers) of the customer days whose code is kept, in order; the last
    filter set's are held (its spells for another N, its cohorts' first days read them again)."""
    days, kept = codes
    cust, day, code = _arrays(scope, days)
    if kept is None:
        return cust, day
    meta = scope.ws._facts_meta
    held = meta.get("_spell_kept")
    if held is None or held[0] != codes:
        wanted = np.zeros(int(code.max(initial=0)) + 1, dtype=bool)
        wanted[[k for k in kept if k < len(wanted)]] = True
        keep = wanted.take(code)  # (`compress`: several times faster than indexing by the mask)
        held = meta["_spell_kept"] = (codes, (np.compress(keep, cust), np.compress(keep, day)))
    return held[1]


def _firsts(cust: np.ndarray) -> np.ndarray:
    """Whether each row is its customer's first (rows sorted by customer)."""
    first = np.ones(len(cust), dtype=bool)
    np.not_equal(cust[1:], cust[:-1], out=first[1:])
    return first


def _runs(cust: np.ndarray, day: np.ndarray, n: int) -> pa.Table:
    """Spells (`_cust, start, lapse, first_month, last_month`, as `cte` says) of day numbers
    sorted by customer and day: a day more than `n` days after the customer's previous one (or
    their first) starts one, which lapses `n` days after the day before the next start (or the
    customer's last)."""
    start = _firsts(cust)
    start[1:] |= (day[1:] - day[:-1]) > n
    first = np.flatnonzero(start)
    last = np.append(first[1:] - 1, len(day) - 1) if len(first) else first
    starts, lapses = day[first], day[last] + n
    low = int(starts.min(initial=0))
    month = np.arange(low, int(lapses.max(initial=0)) + 1).astype("datetime64[D]").astype("datetime64[M]")
    begins = lambda m: m.astype("datetime64[D]").astype(np.int32)  # noqa: E731  (a spanned day's month's 1st)
    columns = {"start": starts, "lapse": lapses}
    columns |= {"first_month": begins(month + 1)[starts - low], "last_month": begins(month)[lapses - low]}
    return pa.table({"_cust": cust[first], **{k: pa.array(v, pa.date32()) for k, v in columns.items()}})


def first_days(scope: Scope, cond: str, params: list) -> tuple[str, list]:
    """(SQL of `_cust, first_day`, its params): each customer's first order among the orders `t`
    where `cond` holds: from the customer days where they code the filters, else the orders."""
    if (codes := _codes(scope)) is not None:

        def firsts() -> pa.Table:
            cust, day = _kept_days(scope, codes)
            first = _firsts(cust)
            return pa.table({"_cust": cust[first], "first_day": pa.array(day[first], pa.date32())})

        sql = "SELECT _cust, first_day FROM _frame"
        digest = hashlib.sha1(repr(codes).encode()).hexdigest()[:12]
        fact = scope.snap.tables["orders"]
        return f"SELECT * FROM {facts.derived_table(scope.ws, 'spf', SCHEMA, fact, digest, sql, [], frame=firsts)}", []
    return (
        f"SELECT t._cust, min(t._day) AS first_day FROM {scope.table('orders')} t WHERE {cond} GROUP BY t._cust",
        params,
    )


def retained(scope: Scope, first: int, last: int, offset: int) -> tuple[int, int] | None:
    """(customers, retained) of the cohorts of months `first` … `last` (month numbers: year × 12
    + month − 1): the customers whose first kept order falls in them, and those of them with a kept
    order `offset` months after that month; from the customer days, None where they do not code
    the filters. (One cell of `churn.cohorts` per cohort, without grouping the orders.)"""
    if (codes := _codes(scope)) is None:
        return None
    cust, day = _kept_days(scope, codes)
    if not len(day):
        return 0, 0
    low = int(day.min())
    months = np.arange(low, int(day.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int32)
    month = months.take(day - low) + np.int32(1970 * 12)  # (datetime64[M] counts from 1970-01)
    starts = _firsts(cust)
    cohort = month[starts].take(np.cumsum(starts) - 1)
    inside = (cohort >= first) & (cohort <= last)
    hits = np.flatnonzero(inside & (month == cohort + offset))
    again = _firsts(cust.take(hits))  # (a customer counted once, however many orders that month)
    return int(np.count_nonzero(inside & starts)), int(np.count_nonzero(again))


def _codes(scope: Scope) -> tuple[str, list[int] | None] | None:
    """(the customer days accelerator, the codes the filters keep), or None where it cannot serve:
    another engine (the streaming pass is DuckDB's), no first orders, or a filter it does not code
    (a customer lookup)."""
    found = _accelerator(scope)
    if found is None or not {k for k, _ in scope.filters.dims} <= set(found[2]):
        return None
    days, combos, cols = found
    if not scope.filters.dims:
        return days, None
    where, params = scope.filters.where("orders", scope.snap, {"orders": set(cols)}, None, "t")
    kept = scope.query(f"SELECT _k FROM {combos} t WHERE {where} ORDER BY _k", params)["_k"]
    return days, [int(k) for k in kept]


def _accelerator(scope: Scope) -> tuple[str, str, list[str]] | None:
    """(the SQL of the customer days, its codes' table, the columns coded) of the scope's counted
    orders: each as (customer key, day number, the code of its region, segment, channel, category
    and product) sorted by customer and day, read into arrays by `_arrays`; the codes' table is
    built on first use per data version and row scope. None on another engine or without first
    orders."""
    cols = [c for c in _ORDER_COLUMNS if c in scope.columns.get("orders", ())]
    if scope.ws.engine is not None or not scope.snap.has("first_orders"):
        return None
    orders, fact = scope.table("orders"), scope.snap.tables["orders"]
    digest = hashlib.sha1(repr((orders, cols)).encode()).hexdigest()[:12]
    listed = ", ".join(quote(c) for c in cols)
    counted = f"FROM {orders} t WHERE t._valid AND t._cust IS NOT NULL"
    distinct = f"SELECT DISTINCT {listed} {counted}" if cols else "SELECT 1 AS _one"
    order = listed or "1"
    combos_sql = f"SELECT CAST(row_number() OVER (ORDER BY {order}) AS INTEGER) AS _k, * FROM ({distinct}) c"
    combos = facts.derived_table(scope.ws, "spk", SCHEMA, fact, digest, combos_sql, [], keep=2)
    same = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM k.{quote(c)}" for c in cols) or "true"
    day = "CAST(date_diff('day', DATE '1970-01-01', t._day) AS INTEGER)"  # (Arrow's date32)
    days = (
        f"SELECT CAST(t._cust AS INTEGER) AS _cust, {day} AS d, k._k FROM {orders} t JOIN {combos} k ON {same} "
        "WHERE t._valid AND t._cust IS NOT NULL AND t._day IS NOT NULL ORDER BY t._cust, t._day"
    )
    return days, combos, cols


def _constant(scope: Scope) -> set[str] | None:
    """The coded columns no customer's counted orders take two values of (NULL counting as a
    value), all checked over the customer days' arrays (once per version); None where there is
    no accelerator or a row scope (a rule is judged against every row of the fact, not the rows
    it keeps)."""
    found = _accelerator(scope) if scope.rows.everything else None
    if found is None:
        return None
    days, combos, cols = found
    key = f"_constant:{hashlib.sha1(days.encode()).hexdigest()}"
    if key not in scope.ws._facts_meta:  # each column's values ranked (NULL too), compared per customer
        ranks = ", ".join(f"dense_rank() OVER (ORDER BY {quote(c)}) AS {quote(c)}" for c in cols)
        coded = scope.query(f"SELECT _k, {ranks} FROM {combos}")
        cust, _, code = _arrays(scope, days)
        same = cust[1:] == cust[:-1]
        constant = set()
        for c in cols:
            rank = np.zeros(int(max(code.max(initial=0), coded["_k"].max())) + 1, dtype=np.int32)
            rank[coded["_k"].to_numpy()] = coded[c].to_numpy()
            ranked = rank[code]
            if not (same & (ranked[1:] != ranked[:-1])).any():
                constant.add(c)
        scope.ws._facts_meta[key] = constant
    return scope.ws._facts_meta[key]


def whole_customers(scope: Scope) -> bool:
    """Whether the global filters and the row scope keep or drop each customer's orders whole, so
    the fact's per-customer previous order day holds for the orders they keep."""
    keys = {k for k, _ in scope.filters.dims} | {k for k, _ in scope.rows.rules}
    own = [k for k in keys if k not in _CUSTOMER_LOOKUPS and k in scope.columns.get("orders", ())]
    if not own:
        return True
    constant = _constant(scope)
    if constant is not None and set(own) <= set(_ORDER_COLUMNS):
        return set(own) <= constant
    return all(facts.constant_per_customer(scope.ws, scope.snap.tables["orders"], k) for k in own)
