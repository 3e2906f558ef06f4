"""Roll-ups: a fact's measures per day × a few dimensions, as sums and counts, so a figure whose
filters and splits use only those dimensions reads thousands of rows instead of millions.

The orders rollup (revenue and orders) is built when the data is published
(insight/db/facts.py). The tickets rollup (tickets, complaints, on-time, CSAT, first-contact
resolution, each average kept as its sum and count) is built here on first use per data version
and row scope, in the scratch catalog (`facts.derived_table`): nothing is added to an import.
(Complaints of known customers too: the coverage of complaints per 1,000 customers.) The
customers' states (how many, how many churned, by churn month) are kept the same way per region,
segment and set of channels ordered through (`states`): a channel filter on customers was a join
of every customer id. A measure is served by its table's rollup when it declares a `rollup`
expression (insight/semantic/metrics.py) and the buckets are days or longer.
"""

from __future__ import annotations

from dataclasses import dataclass

from insight.db import facts
from insight.db.workspace import quote
from insight.semantic.scope import Scope

#: The orders rollup (built at publish).
ORDERS = facts.ORDERS_ROLLUP
#: The dimensions the tickets rollup keeps (those the tickets fact has).
TICKETS_DIMS = ("region", "segment", "channel")
SCHEMA = 2


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
    parts = ["count(*) AS tickets", f"count(*) FILTER (WHERE {complaint_condition(cols)}) AS complaints"]
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


#: What the customer states keep: the customers' own filter dimensions (the channels they ordered
#: through are a bit set).
STATE_DIMS = ("region", "segment")
MAX_CHANNELS = 63


@dataclass(frozen=True)
class States:
    """The customers per region × segment × churned × churn month × the set of channels they
    ordered through (`channels`, a bit per channel of `bits`): `n` customers, `rows` rows."""

    relation: str
    bits: dict[str, int]

    def where(self, scope: Scope) -> tuple[str, list]:
        """The scope's filters on the states, as the customers table's filters select customers."""
        clauses, params = ["true"], []
        for key, values in scope.filters.dims:
            if key == "channel":
                clauses.append("(t.channels & CAST(? AS UBIGINT)) <> 0")
                params.append(str(sum(1 << self.bits[v] for v in values if v in self.bits)))
            else:
                clauses.append(f"CAST(t.{quote(key)} AS VARCHAR) IN ({', '.join('?' for _ in values)})")
                params += list(values)
        return " AND ".join(clauses), params


def states(scope: Scope) -> States | None:
    """The version's customer states (built on first use per version and row scope), where they
    can serve the scope's filters (region, segment, channel) and the customers' ids are unique
    (so customers add up); None where the customers table is read."""
    from insight.semantic.metrics import unique_customers

    cols = scope.columns.get("customers", frozenset())
    keys = {k for k, _ in scope.filters.dims}
    dims = [d for d in STATE_DIMS if d in cols]
    if scope.ws.engine is not None or not {"customer_id", "churned"} <= cols or not keys <= {*dims, "channel"}:
        return None
    through = facts.CUSTOMER_CHANNELS
    if not scope.snap.has(through) or not unique_customers(scope):
        return None
    source = scope.snap.tables["customers"]
    # a bit per channel of the version's orders (the activity masks' names, remembered per version)
    names = sorted({str(c) for c in facts.channel_names(scope.ws, scope.snap.tables["orders"]).values()})
    if len(names) > MAX_CHANNELS:
        return None
    month = "CAST(date_trunc('month', t.churn_date) AS DATE)" if "churn_date" in cols else "CAST(NULL AS DATE)"
    bit = "CAST(1 AS UBIGINT) << CAST(list_position(?, CAST(channel AS VARCHAR)) - 1 AS UBIGINT)"
    sql = (
        f"SELECT {''.join(f't.{quote(d)}, ' for d in dims)}t.churned, {month} AS churn_month, "
        f"coalesce(m.mask, CAST(0 AS UBIGINT)) AS channels, count(t.customer_id) AS n, count(*) AS rows "
        f"FROM {scope.table('customers')} t LEFT JOIN (SELECT customer_id, bit_or({bit}) AS mask "
        f"FROM {scope.table(through)} WHERE channel IS NOT NULL GROUP BY 1) m ON m.customer_id = t.customer_id "
        "GROUP BY ALL"
    )
    # (per customers version, and the orders version whose channels they ordered through)
    key = f"{scope.snap.tables[through]}_{scope.snap.rows or 'all'}"
    relation = facts.derived_table(scope.ws, "cst", SCHEMA, source, key, sql, [names])
    return States(relation, {name: i for i, name in enumerate(names)})
