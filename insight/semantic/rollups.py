"""Roll-ups: a fact's measures per day × a few dimensions, as sums and counts, so a figure whose
filters and splits use only those dimensions reads thousands of rows instead of millions.

The orders rollup (revenue and orders) is built when the data is published
(insight/db/facts.py). The tickets rollup (complaints, on-time, CSAT and first-contact
resolution, each average kept as its sum and count) is built here on first use per data version
and row scope, in the scratch catalog (`facts.derived_table`): nothing is added to an import.
(Complaints of known customers too: the coverage of complaints per 1,000 customers.) A measure
is served by its table's rollup when it declares a `rollup` expression
(insight/semantic/metrics.py) and the buckets are days or longer.
"""

from __future__ import annotations

from insight.db import facts
from insight.db.workspace import quote
from insight.semantic.scope import Scope

#: The orders rollup (built at publish).
ORDERS = facts.ORDERS_ROLLUP
#: The dimensions the tickets rollup keeps (those the tickets fact has).
TICKETS_DIMS = ("region", "segment", "channel")
SCHEMA = 1


def relation(scope: Scope, table: str, measures: list, dims: tuple[str, ...], grain: str | None) -> str | None:
    """The rollup serving `measures` of `table` split by `dims` (under the scope's filters), or
    None when the fact must be read."""
    if grain == "hour" or not measures or not all(m.rollup for m in measures):
        return None
    keys = {k for k, _ in scope.filters.dims} | set(dims)
    if table == "orders" and scope.snap.has(ORDERS):
        return scope.table(ORDERS) if keys <= scope.columns.get(ORDERS, frozenset()) else None
    if table == "tickets":
        return _tickets(scope, keys)
    return None


def _tickets(scope: Scope, keys: set[str]) -> str | None:
    from insight.semantic.metrics import REGISTRY, complaint_condition, due_sql, sla_from

    fact = scope.snap.tables.get("tickets", "")
    cols = scope.columns.get("tickets", frozenset())
    dims = [d for d in TICKETS_DIMS if d in cols]
    if scope.ws.engine is not None or not fact.startswith("_fact_tickets") or "created_at" not in cols:
        return None
    if not keys <= set(dims) or sla_from(dict(scope.filters.extra))[0] is not None:  # (other SLA hours)
        return None
    parts = [f"count(*) FILTER (WHERE {complaint_condition(cols)}) AS complaints"]
    parts.append(f"{REGISTRY['linked_complaints'].expr(cols, None, scope)} AS linked")
    if "resolved_at" in cols:
        resolved = "t.resolved_at IS NOT NULL AND t.resolved_at >= t.created_at"
        parts += [
            f"count(*) FILTER (WHERE {resolved}) AS resolved",
            f"count(*) FILTER (WHERE {resolved} AND t.resolved_at <= {due_sql(cols)}) AS on_time",
        ]
    if "satisfaction" in cols:
        parts += ["sum(t.satisfaction) AS csat_sum", "count(t.satisfaction) AS csat_n"]
    if "first_contact_resolved" in cols:
        fcr = "CAST(t.first_contact_resolved AS DOUBLE)"
        parts += [f"sum({fcr}) AS fcr_sum", f"count({fcr}) AS fcr_n"]
    keep = "".join(f", t.{quote(d)}" for d in dims)
    sql = (
        f"SELECT CAST(t.created_at AS DATE) AS created_at{keep}, {', '.join(parts)} "
        f"FROM {scope.table('tickets')} t GROUP BY ALL ORDER BY created_at"
    )
    return facts.derived_table(scope.ws, "tkr", SCHEMA, fact, scope.snap.rows or "all", sql, [])
