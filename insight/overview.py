"""The Overview's figures beyond the KPI cards: sparklines, what moved, and alerts."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from insight import metrics, settings
from insight.scope import Scope

#: Dimensions the "what moved" table breaks a change down by.
MOVED_DIMS = ("region", "channel", "segment", "tier")
#: Metrics whose change is broken down (additive, so the parts sum to the whole).
MOVED_METRICS = ("revenue", "complaints")


def buckets(period: tuple[dt.date, dt.date], grain: str) -> list[tuple[dt.date, dt.date]]:
    """The period cut into day/week/month buckets (the first and last may be partial)."""
    start, end = period
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[grain]
    edges = [pd.Timestamp(start)] + [t for t in pd.date_range(start, end, freq=freq) if t.date() > start]
    out = []
    for i, edge in enumerate(edges):
        last = edges[i + 1].date() - dt.timedelta(days=1) if i + 1 < len(edges) else end
        out.append((edge.date(), last))
    return out


def sparklines(scope: Scope, ids: tuple[str, ...], grain: str) -> dict[str, list[float]]:
    """Each time-bound KPI per bucket of the period, for the cards' sparklines (one scan per table)."""
    if scope.period is None:
        return {}
    cuts = buckets(scope.period, grain)
    timed = [i for i in ids if _timed(i)]
    values = metrics.compute_periods(scope, timed, cuts)
    return {mid: [v[mid] if v[mid] is not None else float("nan") for v in values] for mid in timed}


def _timed(metric_id: str) -> bool:
    m = metrics.REGISTRY[metric_id]
    if m.ratio:
        return _timed(m.ratio[0]) and _timed(m.ratio[1])
    return m.period


def what_moved(scope: Scope, metric_id: str, dims: tuple[str, ...] = MOVED_DIMS) -> pd.DataFrame:
    """Change of an additive metric against the comparison period, split by each dimension.

    One row per (dimension, value): current, previous, change, and its share of the total change.
    Within a dimension the changes sum to the total change.
    """
    other = scope.compare()
    cols = ["dimension", "value", "current", "previous", "change", "share_of_change"]
    if other is None or not metrics.available(scope, metric_id):
        return pd.DataFrame(columns=cols)
    frames = []
    for dim in dims:
        grouped = metrics.by_dimension(scope, [metric_id], dim, [scope.period, other.period])
        if grouped.empty or set(grouped["value"]) == {"(none)"}:  # the data has no such attribute
            continue
        wide = grouped.pivot_table(index="value", columns="period_index", values=metric_id, aggfunc="sum")
        wide = wide.reindex(columns=[0, 1]).fillna(0.0)
        frame = pd.DataFrame({"dimension": dim, "value": wide.index, "current": wide[0].to_numpy(),
                              "previous": wide[1].to_numpy()})
        frame["change"] = frame["current"] - frame["previous"]
        total = frame["change"].sum()
        frame["share_of_change"] = frame["change"] / total if total else float("nan")
        frames.append(frame.sort_values("change", key=abs, ascending=False))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def alerts(scope: Scope) -> list[dict]:
    """Overdue complaint work orders (超期预警), a churn spike, and channel-share shifts."""
    out = []
    overdue = overdue_tickets(scope)
    if overdue is not None and len(overdue):
        out.append({"kind": "overdue", "count": len(overdue), "oldest_hours": float(overdue["overdue_hours"].max())})
    spike = churn_spike(scope)
    if spike:
        out.append({"kind": "churn_spike", **spike})
    for row in channel_shifts(scope).itertuples():
        out.append({"kind": "channel_shift", "channel": row.value, "current": row.current_share,
                    "previous": row.previous_share, "change_pts": row.change_pts})
    return out


def overdue_tickets(scope: Scope) -> pd.DataFrame | None:
    """Open complaint tickets past their due time as of the data's last ticket time."""
    if not scope.has("tickets", "created_at", "resolved_at"):
        return None
    cols = scope.columns["tickets"]
    tbl = scope.table("tickets")
    where, params = scope.where("tickets", period=False)
    due = "coalesce(t.due_at, {})".format(metrics.sla_due()) if "due_at" in cols else metrics.sla_due()
    if "priority" not in cols:
        due = "t.created_at + INTERVAL 72 HOUR"
    as_of = f"(SELECT max(created_at) FROM {tbl})"
    keep = [c for c in ("ticket_id", "customer_id", "category", "priority", "channel", "created_at") if c in cols]
    sql = f"""
        SELECT {', '.join('t.' + c for c in keep)}, {due} AS due,
               date_diff('minute', {due}, {as_of}) / 60.0 AS overdue_hours
        FROM {tbl} t
        WHERE {where} AND t.resolved_at IS NULL AND {metrics.complaint_condition(cols)} AND {due} < {as_of}
        ORDER BY overdue_hours DESC
        LIMIT 5000
    """
    return scope.query(sql, params)


def churn_spike(scope: Scope) -> dict | None:
    """The latest complete month's churned customers against the mean + 2σ of the 12 before."""
    if not scope.has("customers", "churned", "churn_date"):
        return None
    where, params = scope.where("customers", period=False)
    monthly = scope.query(
        f"""
        SELECT date_trunc('month', t.churn_date)::DATE AS month, count(*) AS churned
        FROM {scope.table('customers')} t WHERE {where} AND t.churned AND t.churn_date IS NOT NULL
        GROUP BY 1 ORDER BY 1
        """,
        params,
    )
    if len(monthly) < 6:
        return None
    last, history = monthly.iloc[-1], monthly.iloc[-13:-1]["churned"]
    threshold = history.mean() + 2 * history.std(ddof=1)
    if last["churned"] <= threshold:
        return None
    return {"month": str(last["month"]), "churned": int(last["churned"]), "threshold": float(threshold)}


def channel_shifts(scope: Scope, threshold_pts: float = settings.CHANNEL_SHIFT_PTS) -> pd.DataFrame:
    """Channels whose revenue share moved by more than `threshold_pts` against the comparison."""
    other = scope.compare()
    cols = ["value", "current_share", "previous_share", "change_pts"]
    if other is None or not scope.has("orders", "channel", "amount"):
        return pd.DataFrame(columns=cols)
    grouped = metrics.by_dimension(scope, ["revenue"], "channel", [scope.period, other.period])
    wide = grouped.pivot_table(index="value", columns="period_index", values="revenue", aggfunc="sum")
    wide = wide.reindex(columns=[0, 1]).fillna(0.0)
    shares = wide / wide.sum().replace(0, float("nan"))
    frame = pd.DataFrame({"value": shares.index, "current_share": shares[0].to_numpy(),
                          "previous_share": shares[1].to_numpy()})
    frame["change_pts"] = (frame["current_share"] - frame["previous_share"]) * 100
    return frame[frame["change_pts"].abs() > threshold_pts].sort_values("change_pts", key=abs, ascending=False)
