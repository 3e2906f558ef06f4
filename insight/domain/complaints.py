"""Complaints and service (SPEC §6): categories (Pareto, drill, trend with anomalies), time limits
(工单时限: resolution and first-response times, on-time rate 及时率, overdue backlog 超期预警),
satisfaction (CSAT, importance–satisfaction matrix, first-contact resolution, repeat complainers),
complaints against churn, and complaints from high-value customers.

Everything works on tickets alone; the parts that need a customer_id, customers or orders say
why they are hidden when those are missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.db import dialect, facts
from insight.i18n import Message, msg
from insight.semantic import metrics, query
from insight.semantic.metrics import complaint_condition, due_sql, priority_level
from insight.semantic.scope import Scope

TOP_CATEGORIES = 8  # categories drawn in the trend; the rest are "other"
ANOMALY_SIGMAS = 3.0  # a week above its category's mean + 3σ is an anomaly
REPEAT_DAYS = 30  # two complaints within this many days make a repeat complainer
TICKETS_SHOWN = 500
OVERDUE_SHOWN = 500
HISTOGRAM_BINS = 30
URGENCY = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
OTHER = "other"
BACKLOG_SCHEMA = 1


def _base(scope: Scope, period: bool = True) -> tuple[str, list]:
    """Complaint tickets under the global filters (and the period)."""
    where, params = scope.where("tickets", "t", period=period)
    return f"{complaint_condition(scope.columns['tickets'])} AND {where}", params


def level(scope: Scope) -> str:
    """What the Pareto ranks: categories, or the subcategories of the one category filtered to."""
    one = len(scope.filters.values("category")) == 1
    return "subcategory" if one and scope.has("tickets", "subcategory") else "category"


def pareto(scope: Scope) -> pd.DataFrame | None:
    """value, complaints, share, cum_share (most first), for categories or subcategories."""
    col = level(scope)
    if not scope.has("tickets", col):
        return None
    cond, params = _base(scope)
    frame = scope.query(
        f"SELECT coalesce(CAST(t.{col} AS VARCHAR), '(none)') AS value, count(*) AS complaints "
        f"FROM {scope.table('tickets')} t WHERE {cond} GROUP BY 1 ORDER BY complaints DESC, value",
        params,
    )
    total = frame["complaints"].sum()
    frame["share"] = frame["complaints"] / total if total else np.nan
    frame["cum_share"] = frame["share"].cumsum()
    frame["level"] = col
    return frame


def ticket_list(scope: Scope, subcategory: str | None) -> pd.DataFrame:
    """The complaint tickets themselves (of one subcategory when given), newest first."""
    cond, params = _base(scope)
    cols = scope.columns["tickets"]
    keep = [
        c
        for c in (
            "ticket_id",
            "created_at",
            "customer_id",
            "category",
            "subcategory",
            "priority",
            "channel",
            "status",
            "satisfaction",
            "text",
        )
        if c in cols
    ]
    extra = ""
    if subcategory and "subcategory" in cols:
        extra, params = " AND CAST(t.subcategory AS VARCHAR) = ?", [*params, subcategory]
    join, tier = _tier_join(scope)  # Diamond and Gold complaints stand out in the list
    return scope.query(
        f"SELECT {', '.join('t.' + c for c in keep)}, {tier} AS tier FROM {scope.table('tickets')} t {join} "
        f"WHERE {cond}{extra} ORDER BY t.created_at DESC LIMIT {TICKETS_SHOWN}",
        params,
    )


def subcategory_count(scope: Scope, subcategory: str) -> int:
    cond, params = _base(scope)
    return int(
        scope.scalar(
            f"SELECT count(*) FROM {scope.table('tickets')} t WHERE {cond} AND CAST(t.subcategory AS VARCHAR) = ?",
            [*params, subcategory],
        )
    )


def trend(scope: Scope) -> pd.DataFrame | None:
    """Weekly complaints per category (the top ones, the rest as "other"): week, category,
    complaints, threshold (the category's mean + 3σ over the period's weeks), anomaly."""
    if not scope.has("tickets", "category", "created_at") or scope.period is None:
        return None
    cond, params = _base(scope)
    frame = scope.query(
        f"SELECT {dialect.trunc('week', 't.created_at')} AS week, CAST(t.category AS VARCHAR) AS category, "
        f"count(*) AS complaints FROM {scope.table('tickets')} t WHERE {cond} GROUP BY 1, 2",
        params,
    )
    if frame.empty:
        return frame
    top = frame.groupby("category")["complaints"].sum().nlargest(TOP_CATEGORIES).index
    frame["category"] = frame["category"].where(frame["category"].isin(top), OTHER).fillna(OTHER)
    frame = frame.groupby(["week", "category"], as_index=False)["complaints"].sum()
    weeks = pd.Index(sorted(frame["week"].unique()), name="week")
    full = frame.pivot(index="week", columns="category", values="complaints").reindex(weeks).fillna(0)
    stats = full.mean() + ANOMALY_SIGMAS * full.std(ddof=0)
    out = full.stack().rename("complaints").reset_index()
    out["threshold"] = out["category"].map(stats)
    out["anomaly"] = (out["complaints"] > out["threshold"]) & (len(weeks) >= 4)
    return out


# --- time limits ------------------------------------------------------------------------------


def durations(scope: Scope) -> dict:
    """Resolution and first-response times in hours (median, p90), with what could not be
    measured: tickets resolved before they were created are left out, never negative."""
    cols = scope.columns["tickets"]
    out: dict = {"resolution": None, "first_response": None, "negative": 0, "no_creation_time": False}
    if not {"created_at", "resolved_at"} <= cols:
        return out
    cond, params = _base(scope)
    tbl = scope.table("tickets")
    hours = dialect.hours_between("t.created_at", "t.{col}")
    parts = ["resolved_at"] + (["first_response_at"] if "first_response_at" in cols else [])
    selects = []
    for col in parts:
        h = hours.format(col=col)
        ok = f"t.{col} IS NOT NULL AND t.{col} >= t.created_at"
        selects += [
            f"median({h}) FILTER (WHERE {ok}) AS {col}_p50",
            f"{dialect.percentile(h, 0.9)} FILTER (WHERE {ok}) AS {col}_p90",
            f"count(*) FILTER (WHERE {ok}) AS {col}_n",
        ]
    selects.append("count(*) FILTER (WHERE t.resolved_at < t.created_at) AS negative")
    if "first_response_at" in cols:  # created_at made up from the first response (import note)
        selects.append("count(*) FILTER (WHERE t.first_response_at IS DISTINCT FROM t.created_at) AS distinct_fr")
    row = scope.query(f"SELECT {', '.join(selects)} FROM {tbl} t WHERE {cond}", params).iloc[0]
    out["negative"] = int(row["negative"])
    out["resolution"] = _pair(row, "resolved_at")
    if "first_response_at" in cols:
        out["no_creation_time"] = int(row["distinct_fr"]) == 0
        out["first_response"] = None if out["no_creation_time"] else _pair(row, "first_response_at")
    return out


def _pair(row, col: str) -> dict | None:
    if not row[f"{col}_n"]:
        return None
    return {"p50": float(row[f"{col}_p50"]), "p90": float(row[f"{col}_p90"]), "tickets": int(row[f"{col}_n"])}


def resolution_histogram(scope: Scope) -> pd.DataFrame | None:
    """Resolution hours in equal bins up to the 99th percentile (longer ones in the last bin):
    low, high, tickets."""
    if not scope.has("tickets", "created_at", "resolved_at"):
        return None
    cond, params = _base(scope)
    frame = scope.query(
        f"""WITH h AS (SELECT {dialect.hours_between("t.created_at", "t.resolved_at")} AS hours
                       FROM {scope.table("tickets")} t WHERE {cond} AND t.resolved_at >= t.created_at),
             top AS (SELECT greatest({dialect.percentile("hours", 0.99)}, 1e-9) AS top FROM h)
        SELECT CAST(least(floor(hours / top * {HISTOGRAM_BINS}), {HISTOGRAM_BINS - 1}) AS INTEGER) AS bin,
               {dialect.any_of("top")} AS top, count(*) AS tickets
        FROM h, top GROUP BY 1 ORDER BY 1""",
        params,
    )
    if frame.empty:
        return None
    top = float(frame["top"].iloc[0])
    out = pd.DataFrame({"bin": range(HISTOGRAM_BINS)}).merge(frame[["bin", "tickets"]], on="bin", how="left")
    out["tickets"] = out["tickets"].fillna(0).astype(int)
    out["low"], out["high"] = out["bin"] * top / HISTOGRAM_BINS, (out["bin"] + 1) * top / HISTOGRAM_BINS
    return out[["low", "high", "tickets"]]


def on_time(scope: Scope, by: str) -> pd.DataFrame | None:
    """The on-time rate (及时率) by category, priority or channel: value, resolved, on_time,
    on_time_rate. A ticket's own due_at wins; otherwise the SLA hours of its priority."""
    cols = scope.columns["tickets"]
    if by not in cols or not {"created_at", "resolved_at"} <= cols:
        return None
    cond, params = _base(scope)
    due = due_sql(cols, sla_hours=metrics.sla_from(dict(scope.filters.extra))[0])
    value = priority_level("t.priority") if by == "priority" else f"CAST(t.{by} AS VARCHAR)"
    resolved = "t.resolved_at IS NOT NULL AND t.resolved_at >= t.created_at"
    frame = scope.query(
        f"SELECT {value} AS value, count(*) AS complaints, count(*) FILTER (WHERE {resolved}) AS resolved, "
        f"count(*) FILTER (WHERE {resolved} AND t.resolved_at <= {due}) AS on_time "
        f"FROM {scope.table('tickets')} t WHERE {cond} GROUP BY 1",
        params,
    )
    frame["on_time_rate"] = frame["on_time"] / frame["resolved"].where(frame["resolved"] > 0)
    if by == "priority":
        return frame.sort_values("value", key=lambda s: s.map(URGENCY)).reset_index(drop=True)
    return frame.sort_values(["on_time_rate", "resolved"], ascending=[True, False]).reset_index(drop=True)


@dataclass(frozen=True)
class Backlog:
    """The overdue backlog: its first rows (in order), how many tickets it has and the longest
    overdue (hours; None when empty)."""

    rows: pd.DataFrame
    count: int
    oldest_hours: float | None


def overdue(scope: Scope, tiers: bool = True, limit: int | None = OVERDUE_SHOWN) -> Backlog | None:
    """The overdue backlog (超期预警): open complaint tickets past due as of the latest ticket,
    most urgent priority first, then longest overdue; with age and (with `tiers`) the customer's
    value tier; the first `limit` rows (None: all). The Overview's alert counts the same tickets,
    without tiers."""
    if not scope.has("tickets", "created_at", "resolved_at"):
        return None
    cols = scope.columns["tickets"]
    tbl = scope.table("tickets")
    where, params = scope.where("tickets", "t", period=False)
    sla = metrics.sla_from(dict(scope.filters.extra))[0]
    due = due_sql(cols, sla_hours=sla)
    latest = as_of(scope)
    keep = [c for c in ("ticket_id", "customer_id", "category", "priority", "channel", "status") if c in cols]
    tier_join, tier = _tier_join(scope) if tiers else ("", "NULL")
    picks = [*(f"t.{c}" for c in keep), *([f"{tier} AS tier"] if tiers else [])]
    open_ = "t.resolved_at IS NULL"
    if "status" in cols:
        open_ += " AND lower(coalesce(CAST(t.status AS VARCHAR), '')) NOT IN ('closed', 'resolved', '已关闭', '已解决')"
    late = f"{complaint_condition(cols)} AND {open_} AND {due} < CAST(? AS TIMESTAMP)"
    if sla is None:  # every filter set's backlog is part of the version's (a few % of the tickets)
        tbl = _backlog(scope, late, latest) or tbl
    urgency = "CASE level " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in URGENCY.items()) + " END"
    ties = [c for c in ("ticket_id", "created_at") if c in [*keep, "created_at"]]  # a stated order, whatever the engine
    # Sorted and cut in SQL, counted over the whole backlog: only the rows shown leave the engine.
    sql = f"""SELECT *, count(*) OVER () AS _count, max(overdue_hours) OVER () AS _oldest FROM (
            SELECT {", ".join(picks)}, t.created_at, {due} AS due,
               {dialect.hours_between("t.created_at", "CAST(? AS TIMESTAMP)", "minute")} AS age_hours,
               {dialect.hours_between(due, "CAST(? AS TIMESTAMP)", "minute")} AS overdue_hours,
               {priority_level("t.priority") if "priority" in cols else "'medium'"} AS level
            FROM {tbl} t {tier_join}
            WHERE {late} AND {where}) b
        ORDER BY {urgency}, overdue_hours DESC{"".join(f", {c}" for c in ties)}
        {f"LIMIT {int(limit)}" if limit is not None else ""}"""
    args = [latest, latest, latest, *params]
    # The backlog is the same in every period: the rows shown are remembered per filter set.
    frame = scope.query(sql, args, cap=10_000_000) if limit is None else query.state(scope, sql, args)
    count = int(frame["_count"].iloc[0]) if len(frame) else 0
    oldest = float(frame["_oldest"].iloc[0]) if len(frame) else None
    return Backlog(frame.drop(columns=["_count", "_oldest"]).reset_index(drop=True), count, oldest)


def _backlog(scope: Scope, late: str, latest) -> str | None:
    """The version's overdue backlog (the tickets fact's rows `late` holds for, every column kept
    so that any filter applies to it), built once per version and row scope in the scratch
    catalog; None where the fact is read (another engine)."""
    fact = scope.snap.tables.get("tickets", "")
    if scope.ws.engine is not None or not fact.startswith("_fact_tickets") or latest is None:
        return None
    sql = f"SELECT * FROM {scope.table('tickets')} t WHERE {late}"
    return facts.derived_table(scope.ws, "odb", BACKLOG_SCHEMA, fact, scope.snap.rows or "all", sql, [latest])


def _tier_join(scope: Scope) -> tuple[str, str]:
    """The customer's value tier now (the last 12 months of the data, whatever the period: a
    backlog is worked today), where tickets and orders share customers."""
    if not (scope.has("tickets", "customer_id") and scope.has("orders", "customer_id", "order_date")):
        return "", "NULL"
    from insight.domain import segments
    from insight.semantic.scope import default_start

    end = scope.data_end
    table = segments.tiers(scope, (default_start(end), end))
    if table is None:
        return "", "NULL"
    return f"LEFT JOIN {table} s ON s.customer_id = t.customer_id AND s.active", "s.tier"


# --- satisfaction -----------------------------------------------------------------------------


def satisfaction(scope: Scope, by: str) -> pd.DataFrame | None:
    """CSAT and the satisfied share (≥ 4 of 5, ≥ 8 of 10) by category or channel."""
    cols = scope.columns["tickets"]
    if by not in cols or "satisfaction" not in cols:
        return None
    cond, params = _base(scope)
    tbl = scope.table("tickets")
    threshold = metrics.satisfied_threshold(tbl)
    return scope.query(
        f"SELECT CAST(t.{by} AS VARCHAR) AS value, count(*) AS complaints, count(t.satisfaction) AS rated, "
        f"avg(t.satisfaction) AS csat, avg(CASE WHEN t.satisfaction >= {threshold} THEN 1.0 ELSE 0.0 END) "
        f"FILTER (WHERE t.satisfaction IS NOT NULL) AS satisfied_share "
        f"FROM {tbl} t WHERE {cond} GROUP BY 1 ORDER BY csat NULLS LAST, value",
        params,
    )


def matrix(by_category: pd.DataFrame | None) -> pd.DataFrame | None:
    """Importance–satisfaction: each category by volume and CSAT, in a quadrant split at the
    medians. `fix_first`: many complaints and low satisfaction, what to fix first."""
    if by_category is None or by_category["csat"].isna().all():
        return None
    frame = by_category.dropna(subset=["csat"]).copy()
    volume, csat = frame["complaints"].median(), frame["csat"].median()
    high, low = frame["complaints"] >= volume, frame["csat"] < csat
    frame["quadrant"] = np.select(
        [high & low, high & ~low, ~high & low], ["fix_first", "keep_up", "watch"], default="low_priority"
    )
    frame["volume_median"], frame["csat_median"] = volume, csat
    return frame


def repeat_complainers(scope: Scope) -> pd.DataFrame | None:
    """Customers with two or more complaints within 30 days: customer_id, complaints, first,
    last, shortest_gap_days."""
    if not scope.has("tickets", "customer_id", "created_at"):
        return None
    cond, params = _base(scope)
    lag = "lag(t.created_at) OVER (PARTITION BY t.customer_id ORDER BY t.created_at)"
    return scope.query(
        f"""WITH c AS (SELECT t.customer_id, t.created_at,
                   {dialect.hours_between(lag, "t.created_at")} / 24.0 AS gap
                   FROM {scope.table("tickets")} t WHERE {cond} AND t.customer_id IS NOT NULL)
        SELECT customer_id, count(*) AS complaints, min(created_at) AS first, max(created_at) AS last,
               min(gap) AS shortest_gap_days
        FROM c GROUP BY customer_id HAVING min(gap) <= {REPEAT_DAYS}
        ORDER BY complaints DESC, shortest_gap_days, customer_id""",
        params,
        cap=10_000_000,
    )


def complainers(scope: Scope) -> int:
    cond, params = _base(scope)
    return int(
        scope.scalar(
            f"SELECT count(DISTINCT t.customer_id) FROM {scope.table('tickets')} t WHERE {cond}",
            params,
        )
    )


# --- customers ------------------------------------------------------------------------------


def churn_by_category(scope: Scope) -> pd.DataFrame | None:
    """Which complaint categories lose customers: for each category, the churn of the customers
    who complained in it (in the period), and on a row `none` those who did not complain, each
    with a 95 % Wilson interval. Churn is the definition in force (the flag, else no order for
    N days by the period end)."""
    from insight.domain import churn

    if not (scope.has("tickets", "customer_id", "category") and scope.snap.has("customers")):
        return None
    d, _ = churn.definition(scope)
    cond, params = _base(scope)
    where, cparams = scope.where("customers", "c", period=False)
    if d.kind == "explicit":
        status, sparams = "coalesce(c.churned, false)", []
    else:
        corders, oparams = churn._orders(scope)
        status = (
            f"coalesce((SELECT max(t._day) FROM {scope.table('orders')} t WHERE {corders} "
            f"AND t.customer_id = c.customer_id AND t._day <= ?) + {int(d.days)} <= ?, false)"
        )
        sparams = [*oparams, scope.period[1], scope.period[1]]
    frame = scope.query(
        f"""WITH cust AS (SELECT c.customer_id, {status} AS churned FROM {scope.table("customers")} c WHERE {where}),
             k AS (SELECT DISTINCT t.customer_id, CAST(t.category AS VARCHAR) AS category
                   FROM {scope.table("tickets")} t WHERE {cond} AND t.customer_id IS NOT NULL)
        SELECT k.category AS value, count(*) AS customers, count(*) FILTER (WHERE cust.churned) AS churned
        FROM cust JOIN k USING (customer_id) GROUP BY 1
        UNION ALL
        SELECT 'none', count(*), count(*) FILTER (WHERE cust.churned) FROM cust
        WHERE customer_id NOT IN (SELECT customer_id FROM k)""",
        [*sparams, *cparams, *params],
    )
    return churn.wilson_table(frame)


def value_at_stake(scope: Scope) -> pd.DataFrame | None:
    """Complaints from Diamond and Gold customers: tier, complaints, share of all complaints."""
    join, tier = _tier_join(scope)
    if not join:
        return None
    cond, params = _base(scope)
    frame = scope.query(
        f"SELECT {tier} AS tier, count(*) AS complaints FROM {scope.table('tickets')} t {join} WHERE {cond} GROUP BY 1",
        params,
    )
    total = frame["complaints"].sum()
    frame["share"] = frame["complaints"] / total if total else np.nan
    order = {"diamond": 0, "gold": 1, "silver": 2, "basic": 3}
    return frame.sort_values("tier", key=lambda s: s.map(order).fillna(9)).reset_index(drop=True)


def coverage(scope: Scope, found: dict | None = None) -> tuple[int, int] | None:
    """(complaint tickets of the view whose customer is in the customers table, all complaint
    tickets of the view). Complaints per 1,000 customers divides all of them by the customers.
    `found`: the period's `linked_complaints` and `complaints` where a page has them already."""
    if not scope.snap.has("customers") or not scope.has("tickets", "created_at") or scope.period is None:
        return None
    if found is None:
        found = query.values(scope, ["linked_complaints", "complaints"])[0]  # (from the tickets rollup)
    return int(found["linked_complaints"] or 0), int(found["complaints"] or 0)


def coverage_notes(scope: Scope, found: dict | None = None) -> list[Message]:
    """A note when some complaint tickets of the view have no known customer (`found`: see `coverage`)."""
    found = coverage(scope, found)
    if found is None or not found[1] or found[0] == found[1]:
        return []
    return [msg("coverage.tickets", linked=f"{found[0]:,}", total=f"{found[1]:,}")]


def undated(scope: Scope) -> int:
    """Complaint tickets without a creation time: outside every period."""
    return int(
        scope.scalar(
            f"SELECT count(*) FROM {scope.table('tickets')} t WHERE t.created_at IS NULL AND "
            f"{complaint_condition(scope.columns['tickets'])}"
        )
    )


def as_of(scope: Scope) -> dt.datetime | None:
    """The latest ticket's creation time (once per version and row scope: a version never changes)."""
    key = f"_as_of_{scope.snap.tables['tickets']}_{scope.snap.rows}"
    if key not in scope.ws._facts_meta:
        scope.ws._facts_meta[key] = scope.scalar(f"SELECT max(created_at) FROM {scope.table('tickets')}")
    return scope.ws._facts_meta[key]
