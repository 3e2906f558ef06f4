"""Customer segments (SPEC §6): the segment table behind RFM scores and named segments, value
tiers, the Pareto share and customer lifetime value (what the pages show of it:
insight/domain/segment_tables.py; CLV's inputs: insight/domain/customer_value.py).

Everything is computed once per orders fact, period and tier cut-offs, into one table of the
workspace (`_seg_…`, one row per customer with a counted order up to the period end). The global
`rfm` and `tier` filters of every page read that table, so each page sees the same membership.

Definitions, as of the period end + 1 day (`as_of`), over the customers with a counted order in
the period (the *active* customers):

- R = days since the last order, F = distinct orders, M = revenue (in cents), all within the period.
- Each is scored 1–5 by quintile: score = 1 + ⌊5 × (customers strictly worse) / n⌋, so tied
  customers share a score (R is reversed: more days is worse).
- The named segment follows from the R and F scores (the usual R × F grid, `SEGMENT_CELLS`).
- Value tier: customers ranked by M (ties by customer id); the first 5 % are Diamond, the next
  15 % Gold, the next 30 % Silver, the rest Basic (`settings.TIER_CUTOFFS`, or `tiers=5,20,50`).
- `pareto_top20_share`: the revenue share of the first 20 % in that ranking.
- CLV = margin × (revenue to date + revenue of the last 12 months × r / (1 + d − r)), where r is
  the measured yearly retention (customers of the year before who bought again in the last 12
  months) and d the discount rate. Without two years of history r is unknown and CLV is the
  margin on revenue to date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from insight import settings
from insight.cache import memo
from insight.db import dialect, facts
from insight.db.workspace import Snapshot, Workspace
from insight.i18n import Message, msg
from insight.semantic.scope import Scope

SEGMENTS = "segments"  # the name of the segment table in a scope's snapshot
TIERS = ("diamond", "gold", "silver", "basic")
#: Named RFM segments and their (R, F) cells of the 5 × 5 grid.
SEGMENT_CELLS: dict[str, tuple[tuple[int, int], ...]] = {
    "champions": ((5, 4), (5, 5)),
    "loyal": ((4, 4), (4, 5), (3, 4), (3, 5)),
    "potential_loyalist": ((5, 2), (5, 3), (4, 2), (4, 3)),
    "new": ((5, 1),),
    "promising": ((4, 1),),
    "need_attention": ((3, 3),),
    "about_to_sleep": ((3, 1), (3, 2)),
    "at_risk": ((2, 3), (2, 4), (1, 3), (1, 4)),
    "cant_lose": ((2, 5), (1, 5)),
    "hibernating": ((2, 1), (2, 2), (1, 2)),
    "lost": ((1, 1),),
}
RFM_SEGMENTS = tuple(SEGMENT_CELLS)
INACTIVE = "inactive"  # no counted order in the period (movement matrix)
SEG_SCHEMA = 6  # bump whenever the segment SQL changes: older tables are dropped


@dataclass(frozen=True)
class Options:
    """Segment settings from the URL: tier cut-offs (`tiers=5,20,50`) and margin (`margin=30`)."""

    cutoffs: tuple[float, float, float] = tuple(settings.TIER_CUTOFFS.values())
    margin: float = settings.CLV_MARGIN

    @classmethod
    def from_extra(cls, extra: dict[str, str]) -> tuple[Options, list[Message]]:
        notes, out = [], cls()
        if raw := extra.get("tiers"):
            try:
                values = tuple(float(v) / 100 for v in raw.split(","))
                if len(values) != 3 or not 0 < values[0] < values[1] < values[2] < 1:
                    raise ValueError
                out = replace(out, cutoffs=values)
            except ValueError:
                notes.append(msg("ignored.tiers", value=raw))
        if raw := extra.get("margin"):
            try:
                value = float(raw) / 100
                if not 0 < value <= 1:
                    raise ValueError
                out = replace(out, margin=value)
            except ValueError:
                notes.append(msg("ignored.margin", value=raw))
        return out, notes


def segment_case(r: str = "r", f: str = "f") -> str:
    """SQL naming the RFM segment of an (R, F) score pair."""
    whens = " ".join(
        f"WHEN {r} * 10 + {f} IN ({', '.join(str(a * 10 + b) for a, b in cells)}) THEN '{code}'"
        for code, cells in SEGMENT_CELLS.items()
    )
    return f"CASE {whens} END"


def table_key(period: tuple[dt.date, dt.date], options: Options) -> str:
    """The settings part of a segment table's name: period and cut-offs."""
    cuts = "x".join(str(round(c * 10000)) for c in options.cutoffs)
    return f"{period[0]:%Y%m%d}x{period[1]:%Y%m%d}x{cuts}"


def ensure(ws: Workspace, snap: Snapshot, columns: dict, period, options: Options) -> str | None:
    """The segment table (SQL naming it) for this orders fact, row scope, period and cut-offs,
    computed on first use into the workspace's scratch catalog (insight/db/facts.py)."""
    if period is None or "customer_id" not in columns.get("orders", ()):
        return None
    as_of = period[1] + dt.timedelta(days=1)
    start, y1, y2 = period[0], as_of - dt.timedelta(days=365), as_of - dt.timedelta(days=730)
    # customers with a strictly worse value: those before this value's group in `order`
    worse = "coalesce(sum(count(*)) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    start_, as_of_ = dialect.named("start"), dialect.named("as_of")
    # (a period of the last 12 months starts on y1: one sum then serves M and the annual revenue)
    y1_, y2_ = start_ if y1 == start else dialect.named("y1"), dialect.named("y2")
    # `per` is read twice (the active count is an aggregate DuckDB joins back): materialised, the
    # orders are grouped once. The customer_id is joined to the groups by the integer key.
    ids = facts.customer_ids(ws, snap)
    last_in_period = f"CASE WHEN last_order_at >= {start_} THEN last_order_at END"
    per_id = "" if ids else f"{dialect.any_of('customer_id')} AS customer_id, "
    join_id = f"JOIN {ids} i ON i._cust = s._cust" if ids else ""
    sql = f"""
        WITH per AS {dialect.materialized()}(
            SELECT {per_id}_cust,
                count(*) FILTER (WHERE order_date >= {start_} AND _order_first) AS frequency,
                -- in cents: a parallel float sum varies in its last bits, and M ranks and breaks ties
                round(coalesce(sum(amount) FILTER (WHERE order_date >= {start_}), 0), 2) AS monetary,
                coalesce(sum(amount), 0) AS history,
                coalesce(sum(amount) FILTER (WHERE order_date >= {y1_}), 0) AS annual,
                min(order_date) AS first_at,
                max(order_date) AS last_order_at,
                bool_or(order_date >= {y2_} AND order_date < {y1_}) AS active_y2
            FROM {snap["orders"]}
            WHERE _valid AND _cust IS NOT NULL AND order_date < {as_of_}
            GROUP BY _cust  -- the fact's integer customer key: hashing it beats hashing the id text
        ), counted AS (
            SELECT *, frequency > 0 AS active, last_order_at >= {y1_} AS active_y1,
                -- the last order in the period is the last one, where there is one in it
                {dialect.days_between(last_in_period, as_of_)} AS recency,
                {dialect.days_between("first_at", as_of_)} AS tenure_days,
                count(*) OVER (PARTITION BY frequency > 0) AS n
            FROM per
        ), recency_worse AS (  -- R and F take few values: count per value instead of sorting customers
            SELECT recency, {worse.format(order="recency DESC")} AS worse FROM counted WHERE active GROUP BY recency
        ), frequency_worse AS (
            SELECT frequency, {worse.format(order="frequency")} AS worse FROM counted WHERE active GROUP BY frequency
        ), scored AS (
            SELECT c.*,
                CASE WHEN active THEN least(5, 1 + rw.worse * 5 // n) END AS r,
                CASE WHEN active THEN least(5, 1 + fw.worse * 5 // n) END AS f,
                -- customers with a lower M: those after this M's group in the value ranking's order
                -- (so both read one sort of the customers)
                CASE WHEN active THEN least(5, 1 + (n - count(*) OVER (PARTITION BY active ORDER BY monetary DESC
                    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) * 5 // n) END AS m,
                CASE WHEN active THEN row_number() OVER (PARTITION BY active ORDER BY monetary DESC, _cust) END
                    AS value_rank
            FROM counted c
            LEFT JOIN recency_worse rw ON rw.recency = c.recency
            LEFT JOIN frequency_worse fw ON fw.frequency = c.frequency
        )
        SELECT {"i" if ids else "s"}.customer_id, s._cust, active, recency, frequency, monetary, r, f, m,
            {segment_case()} AS rfm,
            CASE WHEN NOT active THEN NULL {_tier_cases(options)} END AS tier,
            value_rank, value_rank * 10000 <= n * 2000 AND active AS top20,
            history, annual, first_at, last_order_at, tenure_days, active_y1, active_y2
        FROM scored s {join_id}
    """
    params = {"start": start, "as_of": as_of, "y2": y2, **({} if y1 == start else {"y1": y1})}
    key = f"{snap.rows or 'all'}x{table_key(period, options)}"  # a row scope reads other rows
    # (grouped by the integer key: indexed directly where its range is small enough)
    dense = dialect.dense_grouping(facts.customer_keys(ws, snap.tables["orders"]))
    return facts.derived_table(ws, "seg", SEG_SCHEMA, snap.tables["orders"], key, sql, params, session=dense)


def _tier_cases(options: Options) -> str:
    """The CASE branches of the value tier of an active customer ranked `value_rank` of `n` by the
    period's revenue (the cut-offs are cumulative shares of the active customers)."""
    d, g, s = (round(c * 10000) for c in options.cutoffs)
    return (
        f"WHEN value_rank * 10000 <= n * {d} THEN 'diamond' WHEN value_rank * 10000 <= n * {g} THEN 'gold' "
        f"WHEN value_rank * 10000 <= n * {s} THEN 'silver' ELSE 'basic'"
    )


def with_segments(scope: Scope, period=None, options: Options | None = None) -> Scope:
    """`scope` with its segment table (for `period`, default the scope's) in the snapshot."""
    options = options or Options.from_extra(dict(scope.filters.extra))[0]
    table = ensure(scope.ws, scope.snap, scope.columns, period or scope.period, options)
    if table is None:
        return scope
    snap = replace(
        scope.snap,
        tables={**scope.snap.tables, SEGMENTS: table},
        relations={**scope.snap.relations, SEGMENTS: table},
    )
    return replace(scope, snap=snap, columns={**scope.columns, SEGMENTS: _columns(scope.ws, table)})


@memo(64, key=lambda ws, table: (str(ws.path), table))
def _columns(ws: Workspace, table: str) -> frozenset[str]:
    """A segment table's columns, read once: its name is its key (the source fact, the schema and
    the settings), so every scope opening it (each script run, each page view) gets the same."""
    return frozenset(ws.query(f"SELECT * FROM {table} LIMIT 0").columns)


def tiers(scope: Scope, period) -> str | None:
    """SQL naming a table of the value tier of the customers active in `period` (`customer_id,
    tier, active`), for a page that needs no more of the segments (the complaints' overdue list):
    the segment table where it is built already, else one ranking the period's revenue per
    customer alone, a fraction of its work, with the same tiers."""
    options = Options.from_extra(dict(scope.filters.extra))[0]
    ws, snap = scope.ws, scope.snap
    if period is None or "customer_id" not in scope.columns.get("orders", ()):
        return None
    key = f"{snap.rows or 'all'}x{table_key(period, options)}"
    ids = facts.customer_ids(ws, snap)
    if ids is None or facts.derived_built(ws, "seg", SEG_SCHEMA, snap.tables["orders"], key):
        return ensure(ws, snap, scope.columns, period, options)
    start_, as_of_ = dialect.named("start"), dialect.named("as_of")
    sql = f"""
        WITH per AS (  -- as the segment table's: M in cents, active with a counted order in the period
            SELECT _cust, round(coalesce(sum(amount), 0), 2) AS monetary FROM {snap["orders"]}
            WHERE _valid AND _cust IS NOT NULL AND order_date >= {start_} AND order_date < {as_of_}
            GROUP BY _cust HAVING count(*) FILTER (WHERE _order_first) > 0
        ), ranked AS (
            SELECT _cust, row_number() OVER (ORDER BY monetary DESC, _cust) AS value_rank, count(*) OVER () AS n
            FROM per
        )
        SELECT i.customer_id, CASE {_tier_cases(options)} END AS tier, true AS active
        FROM ranked r JOIN {ids} i ON i._cust = r._cust
    """
    params = {"start": period[0], "as_of": period[1] + dt.timedelta(days=1)}
    dense = dialect.dense_grouping(facts.customer_keys(ws, snap.tables["orders"]))
    return facts.derived_table(ws, "segt", SEG_SCHEMA, snap.tables["orders"], key, sql, params, keep=2, session=dense)


def needed(filters) -> bool:
    return bool(filters.values("rfm") or filters.values("tier"))


def population(scope: Scope, alias: str = "s") -> tuple[str, list]:
    """WHERE clause of the active customers the global filters keep (rfm/tier included)."""
    where, params = scope.where(SEGMENTS, alias, period=False)
    return f"{alias}.active AND {where}", params


def segment_as_of(scope: Scope) -> dt.date:
    """The day RFM is measured at: the period end + 1 day."""
    return scope.period[1] + dt.timedelta(days=1)


def member_condition(spec: str) -> tuple[str, list] | None:
    """SQL selecting the members of a group: `all`, `rfm:at_risk`, `tier:diamond` or `cell:3-4`
    (R-F). None if the spec is not one of those."""
    kind, _, value = spec.partition(":")
    if spec == "all":
        return "true", []
    if kind == "rfm" and value in RFM_SEGMENTS:
        return "s.rfm = ?", [value]
    if kind == "tier" and value in TIERS:
        return "s.tier = ?", [value]
    if kind == "cell":
        parts = value.split("-")
        if len(parts) == 2 and all(p in "12345" and p for p in parts):
            return "s.r = ? AND s.f = ?", [int(parts[0]), int(parts[1])]
    return None
