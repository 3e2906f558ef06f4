"""What the pages show of the segment table (insight/domain/segments.py): the headline figures,
one row per RFM segment and per value tier, the R × F grid, the 80/20 curve, given against computed
tiers, segment moves between periods, a group's members and one customer's scores."""

from __future__ import annotations

import math

import pandas as pd

from insight import settings
from insight.db.workspace import quote
from insight.domain.customer_value import Clv
from insight.domain.segments import (
    INACTIVE,
    RFM_SEGMENTS,
    SEGMENT_CELLS,
    SEGMENTS,
    TIERS,
    member_condition,
    population,
    with_segments,
)
from insight.semantic.scope import Scope

#: The headline measures of the segment table (declared in insight/semantic/metrics.py).
SUMMARY = (
    "segment_customers",
    "segment_revenue",
    "pareto_top20_share",
    *(f"{t}_share" for t in TIERS),
    "customer_equity",
)


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
