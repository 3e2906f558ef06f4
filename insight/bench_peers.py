"""Peers in the benchmark: the same page figures computed by pandas in memory and by Polars.

For the Overview and Channel mix pages, each of the 20 filter changes is computed three ways,
interleaved (the order rotates per change, so a warm-up or a noisy neighbour favours no one):
the product's own page view (`page_view` with `everything=False`: what the app computes for the
page as it opens, sections behind a click left out), and the same figures by a pandas peer
(insight/bench_peers_pandas.py) and a Polars peer (insight/bench_peers_polars.py) that hold the
prepared rows in memory.

The peers compute exactly the figures the product's view holds, no more, no less, and
`differences` checks them figure by figure on every change (the bench reports `figures_agree`;
tests/test_bench_peers.py asserts it):

- Overview: the nine KPI cards of the period and of the comparison period (revenue, orders,
  average order value, active customers, churn rate, complaints, complaints per 1,000 customers,
  on-time rate, CSAT); their series per bucket (the sparklines and the trend chart: revenue,
  orders, active customers, complaints, on-time rate, CSAT, and the comparison period's revenue);
  what moved revenue and complaints by region, channel and segment (current and previous); the
  overdue backlog (its count, the longest overdue and the first 500 tickets in order); the churn
  spike; the channel shifts alert (read from what moved, in the product as in the peers); the count
  of complaints with a known customer (the coverage note).
- Channel mix: its four KPI cards of both periods; revenue, orders and customers per bucket ×
  channel with their shares; revenue by channel × region and channel × segment; new customers per
  bucket × first channel; tickets, complaints, CSAT and on-time rate per ticket channel. Migration
  and channel roles compute only when their section is open, in the product as in the peers.

The peers get what the product resolves before any figure (the period, the comparison period, the
time bucket of the link and the latest ticket: cheap metadata and a per-version constant) and the
same prepared rows as its facts (valid flags, first orders and segments joined onto the orders; the
deadline, the complaint flag, open status, urgency and whether the customer is known onto the
tickets; the customers and which channels each ordered through), so they are timed on the figures
alone. Polars is a dev dependency (requirements-dev.txt).
"""

from __future__ import annotations

import math
import statistics
import time

import pandas as pd
import polars as pl

from insight import bench_peers_pandas, bench_peers_polars, settings
from insight.auth.access import RowScope
from insight.db import facts
from insight.db.workspace import Workspace, quote
from insight.domain.complaints import URGENCY
from insight.semantic.filters import Filters
from insight.semantic.metrics import priority_level
from insight.semantic.scope import Scope
from insight.views.views import grain, page_view

DIMS = ("region", "segment", "channel", "category")
ORDERS = ("order_date", "_day", "amount", "customer_id", *DIMS, "_valid", "_order_first", "_first_at", "_first_channel")
TICKETS = ("ticket_id", "customer_id", "created_at", "resolved_at", "_due", "satisfaction", *DIMS)
CLOSED = "('closed', 'resolved', '已关闭', '已解决')"
PEERS = {
    "overview": {"pandas": bench_peers_pandas.overview, "polars": bench_peers_polars.overview},
    "channels": {"pandas": bench_peers_pandas.channels, "polars": bench_peers_polars.channels},
}
OVERVIEW_SERIES = ("revenue", "orders", "active_customers", "complaints", "on_time_rate", "csat")


def inputs(ws: Workspace, page: str, query: str) -> dict:
    """What the product resolves before any figure: the period, the comparison period, the bucket,
    the filters and the latest ticket (the overdue backlog is measured then)."""
    filters, notes = Filters.from_query(query)
    scope = Scope.open(ws, filters, list(notes), RowScope.all(), page)
    other = scope.compare()
    return {
        "period": scope.period,
        "previous": other.period if other is not None else None,
        "grain": grain(scope),
        "dims": {k: list(v) for k, v in scope.filters.dims if k in DIMS},
        "as_of": ws.scalar(f"SELECT max(created_at) FROM {scope.table('tickets')}"),
    }


def load(ws: Workspace) -> dict[str, dict]:
    """The prepared rows, for pandas and for Polars: the orders and tickets facts' columns the
    pages read, the customers and which channels each ordered through."""
    snap = ws.snapshot()
    name = {t: facts.fact_name(snap, t) or snap[t] for t in ("orders", "tickets", facts.CUSTOMER_CHANNELS)}
    level = priority_level("t.priority")
    urgency = "CASE " + " ".join(f"WHEN {level} = '{k}' THEN {v}" for k, v in URGENCY.items()) + " END"
    known = f"t.customer_id IN (SELECT customer_id FROM {snap['customers']})"
    sql = {
        "orders": f"SELECT {', '.join(quote(c) for c in ORDERS)} FROM {quote(name['orders'])}",
        "tickets": (
            f"SELECT {', '.join(f't.{quote(c)}' for c in TICKETS)}, coalesce(t.is_complaint, true) AS _complaint, "
            f"lower(coalesce(CAST(t.status AS VARCHAR), '')) NOT IN {CLOSED} AS _open, {urgency} AS _urgency, "
            f"{known} AS _known FROM {quote(name['tickets'])} t"
        ),
        "customers": f"SELECT customer_id, region, segment, churned, churn_date FROM {snap['customers']}",
        "customer_channels": f"SELECT customer_id, channel FROM {quote(name[facts.CUSTOMER_CHANNELS])}",
    }
    frames = {t: ws.query(s, cap=10**9) for t, s in sql.items()}
    return {"pandas": frames, "polars": {t: pl.from_pandas(f) for t, f in frames.items()}}


def bench_peers(path: str, changes: tuple[str, ...]) -> dict:
    """Per page: p50 of each contender over the filter changes (wall, and CPU of every thread of the
    process: on a shared machine the wall ratios swing with the load, the CPU much less), the median
    of the paired ratios peer ÷ product (above 1: the product is faster), and whether every figure
    agrees."""
    ws = Workspace(path)
    data = load(ws)
    memory = {
        "pandas_mb": round(sum(f.memory_usage(deep=True).sum() for f in data["pandas"].values()) / 2**20),
        "polars_mb": round(sum(f.estimated_size("mb") for f in data["polars"].values())),
    }
    page_view(ws, "overview")  # DuckDB's buffers warm once, as the peers' data is loaded once
    out: dict = {"orders": len(data["pandas"]["orders"]), "memory": memory}
    for page, peers in PEERS.items():
        times: dict[str, list[float]] = {"product": [], "pandas": [], "polars": []}
        cpu: dict[str, list[float]] = {name: [] for name in times}  # (all threads: inflated less by a load)
        disagree: list[str] = []
        for i, query in enumerate(changes):
            inp = inputs(ws, page, query)
            if inp["period"] is None:
                continue
            contenders = ["product", "pandas", "polars"]
            contenders = contenders[i % 3 :] + contenders[: i % 3]
            results = {}
            for name in contenders:
                started, started_cpu = time.perf_counter(), time.process_time()
                if name == "product":
                    results[name] = page_view(ws, f"{page}?{query}", everything=False)
                else:
                    results[name] = peers[name](data[name], inp)
                times[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
            for peer in ("pandas", "polars"):
                disagree += [f"{peer} {query!r}: {d}" for d in differences(page, results["product"], results[peer])]
        out[page] = {
            "changes": len(times["product"]),
            **{f"{k}_p50_ms": round(statistics.median(v) * 1000) for k, v in times.items()},
            **{f"{k}_cpu_p50_ms": round(statistics.median(v) * 1000) for k, v in cpu.items()},
            **{
                f"{peer}_over_product": round(
                    statistics.median(p / q for p, q in zip(times[peer], times["product"], strict=True)), 2
                )
                for peer in ("pandas", "polars")
            },
            "figures_agree": not disagree,
            **({"differences": disagree[:5]} if disagree else {}),
        }
    return out


# --- the product's figures against a peer's ------------------------------------------------------


def differences(page: str, view, peer: dict) -> list[str]:
    """Where a peer's figures differ from the product's view (empty: every figure agrees)."""
    out = _cards(view, peer["cards"])
    if page == "overview":
        series = view.series
        now, past = series[series["series"] == "current"], series[series["series"] == "comparison"]
        out += _table("series", now, peer["series"], ["bucket"], OVERVIEW_SERIES)
        if len(past):
            out += _table("comparison", past, peer["past"], ["bucket"], ["revenue"])
        for metric, frame in view.moved.items():
            if len(frame):
                keys, cols = ["dimension", "value"], ["current", "previous"]
                out += _table(f"moved {metric}", frame, peer["moved"][metric], keys, cols)
        alerts = view.alerts.to_dict("records") if len(view.alerts) else []
        late = next((a for a in alerts if a["kind"] == "overdue"), {"count": 0, "oldest_hours": None})
        ids = [] if view.overdue is None else view.overdue["ticket_id"].tolist()
        count, oldest, first = peer["overdue"]
        if late["count"] != count or not _same(late["oldest_hours"], oldest) or ids != first:
            out.append(f"overdue: {late['count']}, {late['oldest_hours']} against {peer['overdue'][:2]}")
        spike = next(({k: a[k] for k in ("churned", "threshold")} for a in alerts if a["kind"] == "churn_spike"), None)
        theirs = peer["spike"] and {k: peer["spike"][k] for k in ("churned", "threshold")}
        if not _same(spike and spike["churned"], theirs and theirs["churned"]):
            out.append(f"churn spike: {spike} against {theirs}")
        shifts = {a["channel"]: a["change_pts"] for a in alerts if a["kind"] == "channel_shift"}
        theirs = _shifts(peer["moved"]["revenue"])
        if shifts.keys() != theirs.keys() or not all(_same(shifts[c], theirs[c]) for c in shifts):
            out.append(f"channel shifts: {shifts} against {theirs}")
        note = next((dict(n.values) for n in view.notes if getattr(n, "key", "") == "coverage.tickets"), None)
        linked = (int(note["linked"].replace(",", "")), int(note["total"].replace(",", ""))) if note else None
        if linked != (peer["linked"] if peer["linked"][0] != peer["linked"][1] else None):
            out.append(f"complaints with a known customer: {linked} against {peer['linked']}")
        return out
    cols = ["revenue", "orders", "customers", "revenue_share", "orders_share", "customers_share"]
    out += _table("over time", view.over_time, peer["over_time"], ["bucket", "channel"], cols)
    for dim, frame in (("region", view.channel_region), ("segment", view.channel_segment)):
        out += _table(f"channel × {dim}", frame, peer["cross"][dim], ["channel", dim], ["revenue"])
    out += _table("acquisition", view.acquisition, peer["acquisition"], ["bucket", "channel"], ["new_customers"])
    cols = ["tickets", "complaints", "csat", "on_time_rate"]
    return out + _table("service", view.service, peer["service"], ["channel"], cols)


def _shifts(moved) -> dict[str, float]:
    """Channels whose revenue share moved by more than the alert's threshold, in points."""
    frame = moved.to_pandas() if isinstance(moved, pl.DataFrame) else moved
    part = frame[frame["dimension"] == "channel"]
    change = (part["current"] / part["current"].sum() - part["previous"] / part["previous"].sum()) * 100
    keep = change.abs() > settings.CHANNEL_SHIFT_PTS
    return dict(zip(part["value"][keep], change[keep], strict=True))


def _cards(view, peer: list[dict]) -> list[str]:
    out = []
    for mid, kpi in view.kpis.items():
        for label, ours, theirs in (("", kpi.value, peer[0][mid]), (" before", kpi.previous, peer[1][mid])):
            if ours is not None and not _same(ours, theirs):
                out.append(f"{mid}{label}: {ours} against {theirs}")
    return out


def _table(name: str, ours: pd.DataFrame, theirs, keys: list[str], cols) -> list[str]:
    """Row by row on `keys`, the `cols` of the product's table against the peer's."""
    mine, other = _rows(ours, keys, cols), _rows(theirs, keys, cols)
    if mine.keys() != other.keys():
        return [f"{name}: rows {sorted(mine.keys() ^ other.keys(), key=str)[:3]} in one only"]
    return [f"{name} {k}: {mine[k]} against {other[k]}" for k in mine if not all(map(_same, mine[k], other[k]))]


def _rows(frame, keys: list[str], cols) -> dict[tuple, tuple]:
    if isinstance(frame, pl.DataFrame):
        frame = frame.to_pandas()
    if frame is None or not len(frame):
        return {}
    key_values = [frame[k].map(lambda v: v if isinstance(v, str) else pd.Timestamp(v)) for k in keys]
    return dict(zip(zip(*key_values, strict=True), zip(*(frame[c] for c in cols), strict=True), strict=True))


def _same(a, b) -> bool:
    """Equal figures: both missing, or within a millionth."""
    missing = [x is None or (isinstance(x, float) and math.isnan(x)) for x in (a, b)]
    if any(missing):
        return all(missing)
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
