"""Churn spells (insight/domain/churn.py, behavioural definition): runs of a customer's counted
orders at most N days apart, read from the orders fact's precomputed previous-order day."""

from __future__ import annotations

import hashlib

from insight.db import dialect, facts
from insight.semantic.scope import Scope

SCHEMA = 3  # in the spell tables' names: bump whenever their SQL changes


def cte(scope: Scope, n: int, cond: str, params: list) -> tuple[str, list]:
    """(a CTE `spells(_cust, customer_id, start, lapse)`, its params): runs of the orders `t` where
    `cond` holds (`params`) at most `n` days apart, with `lapse` = the run's last order + N days
    (in the future while the run is open).

    An order more than N days after its customer's previous one starts a spell; a spell ends with
    the order before the next start (that start's previous day), or with the customer's last
    order. Where the filters keep or drop each customer's orders whole, the fact's precomputed
    previous and last days serve any N: spells are a filter and one window over the starts.
    Otherwise (a channel, say) the previous day is recomputed over the orders kept."""
    n = int(n)
    orders = scope.table("orders")
    if whole_customers(scope):
        starts = (
            f"SELECT t._cust, t.customer_id, t._day AS d, t._prev_day AS prev, t._last_day AS last_all "
            f"FROM {orders} t WHERE {cond} "
            f"AND (t._prev_day IS NULL OR {dialect.days_between('t._prev_day', 't._day')} > {n})"
        )
    else:
        starts = (
            f"SELECT * FROM (SELECT t._cust, t.customer_id, t._day AS d, "
            f"lag(t._day) OVER (PARTITION BY t._cust ORDER BY t._day) AS prev, "
            f"max(t._day) OVER (PARTITION BY t._cust) AS last_all FROM {orders} t WHERE {cond}) o "
            f"WHERE prev IS NULL OR {dialect.days_between('prev', 'd')} > {n}"
        )
    lapse = dialect.plus_days("coalesce(lead(prev) OVER (PARTITION BY _cust ORDER BY d), last_all)", n)
    sql = f"SELECT _cust, customer_id, d AS start, {lapse} AS lapse FROM ({starts}) s"
    # The trend, its comparison, the breakdown, survival and the complaints split all read them:
    # computed once per N and filter set into the process's scratch catalog (never the file).
    digest = hashlib.sha1(repr((orders, cond, params)).encode()).hexdigest()[:12]
    table = facts.derived_table(scope.ws, "spl", SCHEMA, scope.snap.tables["orders"], f"{n}x{digest}", sql, params)
    return f"spells AS (SELECT * FROM {table})", []


#: Filter dimensions that keep or drop a customer's orders whole wherever they come from (their
#: source on the orders is a lookup through the customer).
_CUSTOMER_LOOKUPS = ("rfm", "tier", "campaign")


def whole_customers(scope: Scope) -> bool:
    """Whether the global filters and the row scope keep or drop each customer's orders whole, so
    the fact's per-customer previous order day holds for the orders they keep."""
    keys = {k for k, _ in scope.filters.dims} | {k for k, _ in scope.rows.rules}
    own = [k for k in keys if k not in _CUSTOMER_LOOKUPS and k in scope.columns.get("orders", ())]
    return all(facts.constant_per_customer(scope.ws, scope.snap.tables["orders"], k) for k in own)
