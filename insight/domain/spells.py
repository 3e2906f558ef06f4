"""Churn spells (insight/domain/churn.py, behavioural definition): runs of a customer's counted
orders at most N days apart.

Three ways to the same spells:

- **customer days** (DuckDB): an accelerator built in memory on first use per data version and
  row scope holds every counted order as (customer key, day, the fact's previous order day, a
  code of its region, segment, channel, category and product) sorted by customer and day, and a
  filter is a list of codes. Where the filters keep or drop each customer's orders whole, starts
  are a filter on the previous order day and each spell ends before the next start (the next row,
  in one streaming pass); where they split a customer's orders (a channel, a category), each kept
  order's previous and next kept day are its neighbours in that order, read in one streaming
  pass (no sort);
- **the fact** (another engine, or a customer lookup such as the value tier): where customers are
  kept whole, the fact's previous and last order days and one window over the starts;
- otherwise the previous day is recomputed by windows over the orders kept.

Spells are computed once per N and filter set into the process's scratch catalog (never the
file): the trend, its comparison, the breakdown, survival and the complaints split all read them.
"""

from __future__ import annotations

import hashlib

from insight.db import dialect, facts
from insight.db.workspace import quote
from insight.semantic.filters import DIMENSIONS
from insight.semantic.scope import Scope

SCHEMA = 5  # in the spell tables' names: bump whenever their SQL changes

#: Filter dimensions that keep or drop a customer's orders whole wherever they come from (their
#: source on the orders is a lookup through the customer).
_CUSTOMER_LOOKUPS = ("rfm", "tier", "campaign")
#: Filter dimensions read from the orders' own columns: the customer days accelerator codes them.
_ORDER_COLUMNS = tuple(d.key for d in DIMENSIONS if d.key in d.sources.get("orders", ()))


def cte(scope: Scope, n: int, cond: str, params: list) -> tuple[str, list]:
    """(a CTE `spells(_cust, customer_id, start, lapse, first_month, last_month)`, its params): runs
    of the orders `t` where `cond` holds (`params`) at most `n` days apart, with `lapse` = the
    run's last order + N days (in the future while the run is open), `first_month` the first month
    whose start the spell is active at (the month after its start) and `last_month` the month its
    lapse falls in: active at the start of every month between them.

    An order more than N days after the customer's previous kept one starts a spell; a spell ends
    with the order before the next start, or with the customer's last kept order."""
    n = int(n)
    orders = scope.table("orders")
    whole = whole_customers(scope)
    if (codes := _codes(scope)) is not None:
        sql, args = (_whole_days if whole else _from_days)(scope, n, codes), []
    elif whole:
        sql, args = _from_fact(scope, n, cond), params
    else:
        sql, args = _recomputed(scope, n, cond), params
    first = dialect.as_date(dialect.plus_month(dialect.trunc("month", "s.start")))
    sql = f"SELECT s.*, {first} AS first_month, {dialect.trunc('month', 's.lapse')} AS last_month FROM ({sql}) s"
    digest = hashlib.sha1(repr((orders, cond, params)).encode()).hexdigest()[:12]
    table = facts.derived_table(scope.ws, "spl", SCHEMA, scope.snap.tables["orders"], f"{n}x{digest}", sql, args)
    return f"spells AS (SELECT * FROM {table})", []


def _ids(scope: Scope) -> str:
    """Each customer key's customer_id and last counted order day (all customers: the row scope
    is applied to the spells already)."""
    return facts.customer_ids(scope.ws, scope.snap)


def _gap(a: str, b: str, n: int, missing: str | None = None) -> str:
    """Whether day `b` comes more than `n` days after day `a`, or there is no `missing` (`a`)."""
    return f"({missing or a} IS NULL OR {dialect.days_between(a, b)} > {n})"


def _from_fact(scope: Scope, n: int, cond: str) -> str:
    """Spells where each customer's orders are kept whole: the fact's previous and last order days."""
    starts = (
        f"SELECT t._cust, t._day AS d, t._prev_day AS prev, t._last_day AS last_all "
        f"FROM {scope.table('orders')} t WHERE {cond} AND {_gap('t._prev_day', 't._day', n)}"
    )
    return _paired(scope, starts, n)


def _paired(scope: Scope, starts: str, n: int) -> str:
    """Spells from their starts (`_cust, d, prev, last_all`): each lapses N days after the order
    before the customer's next start, or after their last order. The window runs over the integer
    key alone; the customer_id is joined to its result."""
    lapse = dialect.plus_days("coalesce(lead(s.prev) OVER (PARTITION BY s._cust ORDER BY s.d), s.last_all)", n)
    spells = f"SELECT s._cust, s.d AS start, {lapse} AS lapse FROM ({starts}) s"
    ids = _ids(scope)
    return f"SELECT w._cust, i.customer_id, w.start, w.lapse FROM ({spells}) w JOIN {ids} i ON i._cust = w._cust"


def _recomputed(scope: Scope, n: int, cond: str) -> str:
    """Spells of any kept orders, by windows over them (every engine)."""
    starts = (
        f"SELECT * FROM (SELECT t._cust, t._day AS d, "
        f"lag(t._day) OVER (PARTITION BY t._cust ORDER BY t._day) AS prev, "
        f"max(t._day) OVER (PARTITION BY t._cust) AS last_all FROM {scope.table('orders')} t WHERE {cond}) o "
        f"WHERE {_gap('prev', 'd', n)}"
    )
    return _paired(scope, starts, n)


def _keep(kept: list[int] | None) -> str:
    """SQL keeping the customer days (`t`) whose code is in `kept` (None: every day)."""
    if kept is None:
        return "true"
    return f"list_contains([{', '.join(str(int(k)) for k in kept)}], t._k)" if kept else "false"


def _whole_days(scope: Scope, n: int, codes: tuple[str, list[int] | None]) -> str:
    """Spells of customers kept whole, from the customer days: the starts are a filter on the
    previous order day (the fact's), and each spell lapses N days after the next start's previous
    order day, or after the customer's last order: the next start is the next row, in one
    streaming pass in the stored order (customer, day)."""
    days, kept = codes
    nxt = "CASE WHEN lead(t._cust) OVER () = t._cust THEN lead(t._prev) OVER () END"
    starts = (
        f"SELECT t._cust, t._day AS d, {nxt} AS next_prev FROM {days} t "
        f"WHERE {_keep(kept)} AND {_gap('t._prev', 't._day', n)}"
    )
    lapse = dialect.plus_days("coalesce(s.next_prev, i._last_day)", n)
    spells = f"SELECT i._cust, i.customer_id, s.d AS start, {lapse} AS lapse FROM ({starts}) s"
    return f"{spells} JOIN {_ids(scope)} i ON i._cust = s._cust"


def _from_days(scope: Scope, n: int, codes: tuple[str, list[int] | None]) -> str:
    """Spells of the customer days whose code is kept, in one pass in their stored order
    (customer, day): DuckDB's streaming window (`OVER ()`) reads its input in that order."""
    days, kept = codes
    keep = _keep(kept)
    same = lambda f, col: f"CASE WHEN {f}(t._cust) OVER () = t._cust THEN {f}({col}) OVER () END"  # noqa: E731
    marked = (
        f"SELECT _cust, d, {_gap('prev', 'd', n)} AS first, {_gap('d', 'next', n, 'next')} AS last FROM "
        f"(SELECT t._cust, t._day AS d, {same('lag', 't._day')} AS prev, {same('lead', 't._day')} AS next "
        f"FROM {days} t WHERE {keep}) o WHERE {_gap('prev', 'd', n)} OR {_gap('d', 'next', n, 'next')}"
    )
    # Starts and ends alternate per customer: a start's spell ends on itself or on the next row.
    end = "CASE WHEN e.last THEN e.d ELSE lead(e.d) OVER () END"
    ended = f"SELECT e._cust, e.d, e.first, {end} AS end_day FROM ({marked}) e"
    lapse = dialect.plus_days("s.end_day", n)
    return (
        f"SELECT i._cust, i.customer_id, s.d AS start, {lapse} AS lapse FROM ({ended}) s "
        f"JOIN {_ids(scope)} i ON i._cust = s._cust WHERE s.first"
    )


def first_days(scope: Scope, cond: str, params: list) -> tuple[str, list]:
    """(SQL of `_cust, first_day`, its params): each customer's first order among the orders `t`
    where `cond` holds: from the customer days where they code the filters, else the orders."""
    if (codes := _codes(scope)) is not None:
        days, kept = codes
        return f"SELECT t._cust, min(t._day) AS first_day FROM {days} t WHERE {_keep(kept)} GROUP BY t._cust", []
    return (
        f"SELECT t._cust, min(t._day) AS first_day FROM {scope.table('orders')} t WHERE {cond} GROUP BY t._cust",
        params,
    )


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
    """(the customer days table, its codes' table, the columns coded) of the scope's counted
    orders, built on first use per data version and row scope (in memory: about 18 bytes an
    order); None on another engine or without first orders."""
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
    days_sql = (
        f"SELECT CAST(t._cust AS INTEGER) AS _cust, t._day, k._k, t._prev_day AS _prev "
        f"FROM {orders} t JOIN {combos} k ON {same} WHERE t._valid AND t._cust IS NOT NULL ORDER BY t._cust, t._day"
    )
    days = facts.derived_table(scope.ws, "spd", SCHEMA, fact, digest, days_sql, [], keep=2)
    return days, combos, cols


def _constant(scope: Scope) -> set[str] | None:
    """The coded columns no customer's counted orders take two values of (NULL counting as a
    value), all checked in one pass over the customer days; None where there is no accelerator
    or a row scope (a rule is judged against every row of the fact, not the rows it keeps)."""
    found = _accelerator(scope) if scope.rows.everything else None
    if found is None:
        return None
    days, combos, cols = found
    key = f"{days}:constant"
    if key not in scope.ws._facts_meta:
        codes = ", ".join(f"dense_rank() OVER (ORDER BY {quote(c)}) AS {quote(c)}" for c in cols)
        spans = ", ".join(f"max(k.{quote(c)}) = min(k.{quote(c)}) AS {quote(c)}" for c in cols)
        every = ", ".join(f"coalesce(bool_and({quote(c)}), true) AS {quote(c)}" for c in cols)
        sql = (
            f"SELECT {every} FROM (SELECT d._cust, {spans} FROM {days} d "
            f"JOIN (SELECT _k, {codes} FROM {combos}) k ON k._k = d._k GROUP BY d._cust) c"
        )
        row = scope.query(sql).iloc[0] if cols else {}
        scope.ws._facts_meta[key] = {c for c in cols if bool(row[c])}
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
