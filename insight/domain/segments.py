"""Customer segments (SPEC §6): RFM scores and named segments, value tiers, the Pareto share and
customer lifetime value.

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
import math
from dataclasses import dataclass, replace

import pandas as pd

from insight import settings
from insight.db import dialect, facts
from insight.db.workspace import Snapshot, Workspace, quote
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
SEG_SCHEMA = 4  # bump whenever the segment SQL changes: older tables are dropped


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
    d, g, s = (round(c * 10000) for c in options.cutoffs)
    rank = "rank() OVER (PARTITION BY active ORDER BY {})"
    score = "CASE WHEN active THEN least(5, 1 + ({rank} - 1) * 5 // n) END"
    # customers with a strictly worse value: those before this value's group in `order`
    worse = "coalesce(sum(count(*)) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    start_, as_of_ = dialect.named("start"), dialect.named("as_of")
    y1_, y2_ = dialect.named("y1"), dialect.named("y2")
    sql = f"""
        WITH per AS (
            SELECT {dialect.any_of("customer_id")} AS customer_id, _cust,
                max(order_date) FILTER (WHERE order_date >= {start_}) AS last_at,
                count(*) FILTER (WHERE order_date >= {start_} AND _order_first) AS frequency,
                -- in cents: a parallel float sum varies in its last bits, and M ranks and breaks ties
                round(coalesce(sum(amount) FILTER (WHERE order_date >= {start_}), 0), 2) AS monetary,
                coalesce(sum(amount), 0) AS history,
                coalesce(sum(amount) FILTER (WHERE order_date >= {y1_}), 0) AS annual,
                min(order_date) AS first_at,
                max(order_date) AS last_order_at,
                bool_or(order_date >= {y1_}) AS active_y1,
                bool_or(order_date >= {y2_} AND order_date < {y1_}) AS active_y2
            FROM {snap["orders"]}
            WHERE _valid AND _cust IS NOT NULL AND order_date < {as_of_}
            GROUP BY _cust  -- the fact's integer customer key: hashing it beats hashing the id text
        ), counted AS (
            SELECT *, frequency > 0 AS active,
                {dialect.days_between("last_at", as_of_)} AS recency,
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
                {score.format(rank=rank.format("monetary"))} AS m,
                CASE WHEN active THEN row_number() OVER (PARTITION BY active ORDER BY monetary DESC, _cust) END
                    AS value_rank
            FROM counted c
            LEFT JOIN recency_worse rw ON rw.recency = c.recency
            LEFT JOIN frequency_worse fw ON fw.frequency = c.frequency
        )
        SELECT customer_id, _cust, active, recency, frequency, monetary, r, f, m,
            {segment_case()} AS rfm,
            CASE WHEN NOT active THEN NULL
                WHEN value_rank * 10000 <= n * {d} THEN 'diamond'
                WHEN value_rank * 10000 <= n * {g} THEN 'gold'
                WHEN value_rank * 10000 <= n * {s} THEN 'silver'
                ELSE 'basic' END AS tier,
            value_rank, value_rank * 10000 <= n * 2000 AND active AS top20,
            history, annual, first_at, last_order_at, tenure_days, active_y1, active_y2
        FROM scored
    """
    params = {"start": start, "as_of": as_of, "y1": y1, "y2": y2}
    key = f"{snap.rows or 'all'}x{table_key(period, options)}"  # a row scope reads other rows
    return facts.derived_table(ws, "seg", SEG_SCHEMA, snap.tables["orders"], key, sql, params)


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
    columns = {**scope.columns, SEGMENTS: frozenset(scope.ws.query(f"SELECT * FROM {table} LIMIT 0").columns)}
    return replace(scope, snap=snap, columns=columns)


def needed(filters) -> bool:
    return bool(filters.values("rfm") or filters.values("tier"))


# --- figures --------------------------------------------------------------------------------


def population(scope: Scope, alias: str = "s") -> tuple[str, list]:
    """WHERE clause of the active customers the global filters keep (rfm/tier included)."""
    where, params = scope.where(SEGMENTS, alias, period=False)
    return f"{alias}.active AND {where}", params


def retention(scope: Scope) -> float | None:
    """Yearly retention: customers of the year before the last 12 months who bought again in
    them. None when the data does not reach back two years."""
    tbl = scope.table(SEGMENTS)
    row = scope.query(
        f"SELECT count(*) FILTER (WHERE active_y2) AS base, count(*) FILTER (WHERE active_y2 AND active_y1) AS kept, "
        f"min(first_at) AS first FROM {tbl}"
    ).iloc[0]
    as_of = segment_as_of(scope)
    if not row["base"] or pd.Timestamp(row["first"]).date() > as_of - dt.timedelta(days=730):
        return None
    return float(row["kept"]) / float(row["base"])


@dataclass(frozen=True)
class Clv:
    margin: float
    retention: float | None
    discount: float
    years: float  # expected further years of the last 12 months' revenue: r / (1 + d − r)

    def sql(self, alias: str = "s") -> str:
        return f"{self.margin!r} * ({alias}.history + {alias}.annual * {self.years!r})"

    def to_dict(self) -> dict:
        return {"margin": self.margin, "retention": self.retention, "discount": self.discount, "years": self.years}


def clv_inputs(scope: Scope) -> Clv:
    options, _ = Options.from_extra(dict(scope.filters.extra))
    r = retention(scope)
    d = settings.CLV_DISCOUNT
    years = r / (1 + d - r) if r is not None else 0.0
    return Clv(options.margin, r, d, years)


#: The headline measures of the segment table (declared in insight/semantic/metrics.py).
SUMMARY = ("segment_customers", "segment_revenue", "pareto_top20_share", *(f"{t}_share" for t in TIERS))
SUMMARY += ("customer_equity",)


def summary(scope: Scope) -> dict[str, float | None]:
    """Headline figures of the scope's segment table: customers, revenue, pareto_top20_share,
    each tier's revenue share and customer equity (sum of CLV). The Pareto and tier shares are
    properties of the whole ranking: the rfm/tier filters narrow them like every other filter."""
    from insight.semantic import query  # the registry's measures over this table

    return query.values(scope, list(SUMMARY))[0]


def segment_table(scope: Scope, clv: Clv) -> pd.DataFrame:
    """One row per named RFM segment: size, revenue and shares, typical R/F/M, equity."""
    where, params = population(scope)
    frame = scope.query(
        f"SELECT s.rfm, count(*) AS customers, sum(s.monetary) AS revenue, "
        f"median(s.recency) AS recency_days, avg(s.frequency) AS frequency, avg(s.monetary) AS monetary, "
        f"sum({clv.sql()}) AS equity FROM {scope.table(SEGMENTS)} s WHERE {where} GROUP BY s.rfm",
        params,
    )
    return _shares(frame, "rfm", RFM_SEGMENTS)


def _shares(frame: pd.DataFrame, key: str, order: tuple[str, ...]) -> pd.DataFrame:
    frame = frame.set_index(key).reindex(order).reset_index()
    frame[["customers", "revenue"]] = frame[["customers", "revenue"]].fillna(0)
    frame.insert(2, "customer_share", frame["customers"] / max(frame["customers"].sum(), 1))
    total = frame["revenue"].sum()
    frame.insert(4, "revenue_share", frame["revenue"] / total if total else 0.0)
    return frame


def rf_grid(scope: Scope) -> pd.DataFrame:
    """Customers and revenue per R × F cell (all 25 cells, empty ones as 0)."""
    where, params = population(scope)
    found = scope.query(
        f"SELECT s.r, s.f, count(*) AS customers, sum(s.monetary) AS revenue "
        f"FROM {scope.table(SEGMENTS)} s WHERE {where} GROUP BY s.r, s.f",
        params,
    )
    cells = pd.DataFrame([(r, f) for r in range(5, 0, -1) for f in range(1, 6)], columns=["r", "f"])
    grid = cells.merge(found, on=["r", "f"], how="left").fillna({"customers": 0, "revenue": 0.0})
    lookup = {cell: code for code, cells_ in SEGMENT_CELLS.items() for cell in cells_}
    grid["rfm"] = [lookup[(r, f)] for r, f in zip(grid["r"], grid["f"], strict=True)]
    grid["customers"] = grid["customers"].astype(int)
    return grid


def tier_table(scope: Scope, clv: Clv) -> pd.DataFrame:
    """Each tier's customers, revenue, orders, complaints, churn and equity."""
    where, params = population(scope)
    seg = scope.table(SEGMENTS)
    churn = f"avg(CASE WHEN s.recency > {settings.INACTIVITY_DAYS} THEN 1.0 ELSE 0.0 END)"
    join = ""
    if churn_basis(scope)["basis"] == "explicit":  # the customers' own flag wins over lapsing
        join = f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = s.customer_id"
        churn = "avg(CAST(c.churned AS DOUBLE))"
    frame = scope.query(
        f"SELECT s.tier, count(*) AS customers, sum(s.monetary) AS revenue, sum(s.frequency) AS orders, "
        f"{churn} AS churn_rate, avg({clv.sql()}) AS avg_clv, sum({clv.sql()}) AS equity "
        f"FROM {seg} s {join} WHERE {where} GROUP BY s.tier",
        params,
    )
    frame = _shares(frame, "tier", TIERS)
    if scope.has("tickets", "customer_id", "created_at"):
        from insight.semantic.metrics import complaint_condition

        tw, tparams = scope.where("tickets", "t")
        cond = complaint_condition(scope.columns["tickets"])
        counts = scope.query(
            f"SELECT s.tier, count(*) AS complaints FROM {scope.table('tickets')} t "
            f"JOIN {seg} s ON s.customer_id = t.customer_id WHERE {cond} AND {tw} AND {where} GROUP BY s.tier",
            tparams + params,
        )
        frame = frame.merge(counts, on="tier", how="left").fillna({"complaints": 0})
        frame["complaints_per_1000"] = frame["complaints"] / frame["customers"].where(frame["customers"] > 0) * 1000
    return frame


def segment_as_of(scope: Scope) -> dt.date:
    """The day RFM is measured at: the period end + 1 day."""
    return scope.period[1] + dt.timedelta(days=1)


def churn_basis(scope: Scope) -> dict:
    """How tier churn is measured: `basis` "explicit" (the customers' own flag) where the customers
    table has one for some of the ranked customers, else "lapsed"; `known` of the `ranked`
    customers have a flag."""
    where, params = population(scope)
    seg = scope.table(SEGMENTS)
    if not scope.has("customers", "churned"):
        ranked = int(scope.scalar(f"SELECT count(*) FROM {seg} s WHERE {where}", params))
        return {"basis": "lapsed", "known": 0, "ranked": ranked}
    row = scope.query(
        f"SELECT count(*) AS ranked, count(c.churned) AS known FROM {seg} s "
        f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = s.customer_id WHERE {where}",
        params,
    ).iloc[0]
    known = int(row["known"])
    return {"basis": "explicit" if known else "lapsed", "known": known, "ranked": int(row["ranked"])}


def pareto_curve(scope: Scope, points: int = 200) -> pd.DataFrame:
    """Cumulative share of revenue against cumulative share of customers (ranked by revenue),
    thinned to about `points` points."""
    where, params = population(scope)
    return scope.query(
        f"""
        WITH ranked AS (
            SELECT row_number() OVER w AS k, count(*) OVER () AS n,
                sum(s.monetary) OVER w / sum(s.monetary) OVER () AS revenue_share
            FROM {scope.table(SEGMENTS)} s WHERE {where}
            WINDOW w AS (ORDER BY s.monetary DESC, s.customer_id ROWS UNBOUNDED PRECEDING)
        )
        SELECT k / n AS customer_share, revenue_share FROM ranked
        WHERE k = n OR k % greatest(1, n // {int(points)}) = 0 ORDER BY k
        """,
        params,
    )


def given_tiers(scope: Scope) -> pd.DataFrame | None:
    """Customers per (tier given in the customers table × computed tier), where there is one."""
    if not scope.has("customers", "tier"):
        return None
    where, params = population(scope)
    return scope.query(
        f"SELECT CAST(c.tier AS VARCHAR) AS given_tier, s.tier, count(*) AS customers "
        f"FROM {scope.table(SEGMENTS)} s JOIN {scope.table('customers')} c ON c.customer_id = s.customer_id "
        f"WHERE {where} AND c.tier IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    )


def transitions(scope: Scope) -> pd.DataFrame | None:
    """Customers per (segment in the comparison period → segment now); `inactive` where a
    customer had no order in one of the two periods."""
    other = scope.compare()
    if other is None:
        return None
    before = with_segments(scope, other.period).table(SEGMENTS)
    where, params = scope.where(SEGMENTS, "s", period=False)
    now = scope.table(SEGMENTS)
    frame = scope.query(
        f"""
        SELECT coalesce(CASE WHEN p.active THEN p.rfm END, '{INACTIVE}') AS from_rfm,
               coalesce(CASE WHEN s.active THEN s.rfm END, '{INACTIVE}') AS to_rfm, count(*) AS customers
        FROM {now} s FULL JOIN {before} p ON p.customer_id = s.customer_id
        WHERE (coalesce(p.active, false) OR coalesce(s.active, false))
          AND (s.customer_id IS NULL OR ({where}))
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        params,
    )
    return frame


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


def members(
    scope: Scope, clv: Clv, spec: str, attributes: tuple[str, ...] = (), limit: int | None = None
) -> pd.DataFrame | None:
    """The customers of one group, best first (by CLV): customer_id, name, R/F/M, segment, tier,
    CLV and any chosen customer attributes. Groups: those of `member_condition`, and
    `move:loyal>at_risk` (segment in the comparison period > segment now). None if `spec` names
    no group."""
    kind, _, value = spec.partition(":")
    where, params = population(scope)
    seg = scope.table(SEGMENTS)
    join = ""
    if kind == "move":
        source, _, target = value.partition(">")
        codes = {*RFM_SEGMENTS, INACTIVE}
        other = scope.compare()
        if source not in codes or target not in codes or other is None:
            return None
        before = with_segments(scope, other.period).table(SEGMENTS)
        join = f"LEFT JOIN {before} p ON p.customer_id = s.customer_id"
        cond = (
            f"coalesce(CASE WHEN p.active THEN p.rfm END, '{INACTIVE}') = ? "
            f"AND coalesce(CASE WHEN s.active THEN s.rfm END, '{INACTIVE}') = ?"
        )
        if target == INACTIVE:  # customers who left: kept in the table, but not active now
            where, params = scope.where(SEGMENTS, "s", period=False)
        cond_params = [source, target]
    else:
        found = member_condition(spec)
        if found is None:
            return None
        cond, cond_params = found
    cust_cols = []
    if scope.snap.has("customers"):
        available = scope.columns["customers"]
        wanted = [c for c in ("name", *attributes) if c in available and c != "customer_id"]
        cust_cols = [f"c.{quote(c)}" for c in dict.fromkeys(wanted)]
        join += f" LEFT JOIN {scope.table('customers')} c ON c.customer_id = s.customer_id"
    cols = ", ".join(
        [
            "s.customer_id",
            *cust_cols,
            "s.recency",
            "s.frequency",
            "s.monetary",
            "s.r",
            "s.f",
            "s.m",
            "s.rfm",
            "s.tier",
            f"{clv.sql()} AS clv",
            "s.last_order_at",
        ]
    )
    sql = f"SELECT {cols} FROM {seg} s {join} WHERE {where} AND {cond} ORDER BY clv DESC, s.customer_id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return scope.query(sql, params + cond_params, cap=settings.TARGET_LIST_CAP)


def customer(scope: Scope, clv: Clv, customer_id: str) -> dict | None:
    """One customer's RFM scores, segment, tier and CLV in this period (None if not active)."""
    frame = scope.query(
        f"SELECT recency, frequency, monetary, r, f, m, rfm, tier, {clv.sql('s')} AS clv, value_rank "
        f"FROM {scope.table(SEGMENTS)} s WHERE s.customer_id = ? AND s.active",
        [customer_id],
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
