"""Peers in the benchmark: the same page figures computed by pandas in memory and by Polars.

For the Overview and Channel mix pages, each of the 20 filter changes is computed three ways,
interleaved (the order rotates per change, so a warm-up or a noisy neighbour favours no one):
the product's own page view (`page_view`, cold: what the app computes for the page), and the page's
figures by a pandas and a Polars peer that hold the orders in memory. The peers get what the
product resolves before any figure (the period, the comparison period and the time bucket of the
link: cheap metadata) and the same prepared rows (the orders fact: valid flags and segments
already joined), so they are timed on the figures alone. Their figures: the KPI cards (revenue,
orders, average order value, active customers) of both periods, the trend per bucket and what
moved by region, channel and segment (Overview); revenue, orders and customers per bucket ×
channel with shares, and the channel × region and channel × segment revenue (Channel mix). The
peers compute less than each page shows, so a ratio over 1 understates the product's lead. Not in the
peers: on the Overview the ticket and customer cards with their comparison and sparklines (churn rate,
complaints, complaints per 1,000 customers, on-time rate, CSAT), what moved complaints, the alerts (the
overdue backlog of 500 rows with its count, the churn spike, channel shifts) and the tickets' coverage; on
Channel mix the cards' comparison period, new customers per first channel and the service channels
(migration and roles compute only when their section is open, in the product as in the peers). Polars is a dev
dependency (requirements-dev.txt).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pandas as pd
import polars as pl

from insight.auth.access import RowScope
from insight.db import facts
from insight.db.workspace import Workspace, quote
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import grain, page_view

COLUMNS = ("order_date", "_day", "amount", "customer_id", "channel", "region", "segment", "category", "_valid")
COLUMNS += ("_order_first",)
DIMS = ("region", "segment", "channel", "category")
MOVED = ("region", "channel", "segment")
PANDAS_FREQ = {"hour": "h", "day": "D"}
POLARS_EVERY = {"hour": "1h", "day": "1d", "week": "1w", "month": "1mo"}


def _inputs(ws: Workspace, page: str, query: str) -> dict:
    filters, notes = Filters.from_query(query)
    scope = Scope.open(ws, filters, list(notes), RowScope.all(), page)
    other = scope.compare()
    return {
        "period": scope.period,
        "previous": other.period if other is not None else None,
        "grain": grain(scope),
        "dims": {k: list(v) for k, v in scope.filters.dims if k in DIMS},
    }


# --- pandas ----------------------------------------------------------------------------------


def _pd_rows(frame: pd.DataFrame, inp: dict, period) -> pd.DataFrame:
    start, end = (pd.Timestamp(d) for d in period)
    keep = frame["_valid"].to_numpy() & frame["_day"].between(start, end).to_numpy()
    for dim, values in inp["dims"].items():
        keep &= frame[dim].isin(values).to_numpy()
    return frame[keep]


def _pd_bucket(rows: pd.DataFrame, g: str) -> pd.Series:
    if g in PANDAS_FREQ:
        return rows["order_date"].dt.floor(PANDAS_FREQ[g])
    return rows["_day"].dt.to_period("W-SUN" if g == "week" else "M").dt.start_time


def _pd_cards(rows: pd.DataFrame) -> dict:
    revenue, orders = float(rows["amount"].sum()), int(rows["_order_first"].sum())
    return {"revenue": revenue, "orders": orders, "aov": revenue / orders if orders else None,
            "customers": int(rows["customer_id"].nunique())}  # fmt: skip


def pandas_overview(frame: pd.DataFrame, inp: dict) -> dict:
    now = _pd_rows(frame, inp, inp["period"])
    before = _pd_rows(frame, inp, inp["previous"]) if inp["previous"] else now.head(0)
    trend = now.groupby(_pd_bucket(now, inp["grain"])).agg(
        revenue=("amount", "sum"), orders=("_order_first", "sum"), customers=("customer_id", "nunique")
    )
    past = before.groupby(_pd_bucket(before, inp["grain"]))["amount"].sum()
    moved = {
        dim: pd.concat([now.groupby(dim)["amount"].sum(), before.groupby(dim)["amount"].sum()], axis=1)
        .fillna(0.0)
        .pipe(lambda w: w.iloc[:, 0] - w.iloc[:, 1])
        for dim in MOVED
    }
    return {"cards": _pd_cards(now), "previous": _pd_cards(before), "trend": trend, "past": past, "moved": moved}


def pandas_channels(frame: pd.DataFrame, inp: dict) -> dict:
    now = _pd_rows(frame, inp, inp["period"])
    over = now.groupby([_pd_bucket(now, inp["grain"]), "channel"]).agg(
        revenue=("amount", "sum"), orders=("_order_first", "sum"), customers=("customer_id", "nunique")
    )
    for col in ("revenue", "orders", "customers"):
        over[f"{col}_share"] = over[col] / over.groupby(level=0)[col].transform("sum")
    cross = {dim: now.groupby(["channel", dim])["amount"].sum() for dim in ("region", "segment")}
    return {"cards": _pd_cards(now), "over_time": over, "cross": cross}


# --- Polars ----------------------------------------------------------------------------------


def _pl_rows(frame: pl.DataFrame, inp: dict, period) -> pl.DataFrame:
    start, end = (dt.datetime.combine(d, dt.time()) for d in period)
    keep = pl.col("_valid") & pl.col("_day").is_between(start, end)
    for dim, values in inp["dims"].items():
        keep &= pl.col(dim).is_in(values)
    return frame.filter(keep)


def _pl_bucket(g: str) -> pl.Expr:
    source = pl.col("order_date") if g == "hour" else pl.col("_day")
    return source.dt.truncate(POLARS_EVERY[g]).alias("bucket")


def _pl_cards(rows: pl.DataFrame) -> dict:
    got = rows.select(
        revenue=pl.col("amount").sum(), orders=pl.col("_order_first").sum(), customers=pl.col("customer_id").n_unique()
    ).row(0, named=True)
    return {**got, "aov": got["revenue"] / got["orders"] if got["orders"] else None}


def polars_overview(frame: pl.DataFrame, inp: dict) -> dict:
    now = _pl_rows(frame, inp, inp["period"])
    before = _pl_rows(frame, inp, inp["previous"]) if inp["previous"] else now.head(0)
    bucket = _pl_bucket(inp["grain"])
    trend = now.group_by(bucket).agg(
        revenue=pl.col("amount").sum(), orders=pl.col("_order_first").sum(), customers=pl.col("customer_id").n_unique()
    )
    past = before.group_by(bucket).agg(revenue=pl.col("amount").sum())
    moved = {
        dim: now.group_by(dim)
        .agg(current=pl.col("amount").sum())
        .join(before.group_by(dim).agg(previous=pl.col("amount").sum()), on=dim, how="full", coalesce=True)
        .with_columns(change=pl.col("current").fill_null(0.0) - pl.col("previous").fill_null(0.0))
        for dim in MOVED
    }
    return {"cards": _pl_cards(now), "previous": _pl_cards(before), "trend": trend, "past": past, "moved": moved}


def polars_channels(frame: pl.DataFrame, inp: dict) -> dict:
    now = _pl_rows(frame, inp, inp["period"])
    over = now.group_by(_pl_bucket(inp["grain"]), "channel").agg(
        revenue=pl.col("amount").sum(), orders=pl.col("_order_first").sum(), customers=pl.col("customer_id").n_unique()
    )
    over = over.with_columns(
        (pl.col(c) / pl.col(c).sum().over("bucket")).alias(f"{c}_share") for c in ("revenue", "orders", "customers")
    )
    cross = {dim: now.group_by("channel", dim).agg(revenue=pl.col("amount").sum()) for dim in ("region", "segment")}
    return {"cards": _pl_cards(now), "over_time": over, "cross": cross}


PEERS = {
    "overview": {"pandas": pandas_overview, "polars": polars_overview},
    "channels": {"pandas": pandas_channels, "polars": polars_channels},
}


def bench_peers(path: str, changes: tuple[str, ...]) -> dict:
    """Per page: p50 of each contender over the filter changes, the median of the paired ratios
    peer ÷ product (above 1: the product is faster), and whether the revenue agrees."""
    ws = Workspace(path)
    snap = ws.snapshot()
    fact = facts.fact_name(snap, "orders")
    cols = ", ".join(quote(c) for c in COLUMNS)
    data = {"pandas": ws.query(f"SELECT {cols} FROM {quote(fact)}", cap=10**9)}
    data["polars"] = pl.from_pandas(data["pandas"])
    memory = {
        "pandas_mb": round(data["pandas"].memory_usage(deep=True).sum() / 2**20),
        "polars_mb": round(data["polars"].estimated_size("mb")),
    }
    page_view(ws, "overview")  # DuckDB's buffers warm once, as the peers' data is loaded once
    out: dict = {"orders": len(data["pandas"]), "memory": memory}
    for page, peers in PEERS.items():
        times: dict[str, list[float]] = {"product": [], "pandas": [], "polars": []}
        agree = True
        for i, query in enumerate(changes):
            inp = _inputs(ws, page, query)
            if inp["period"] is None:
                continue
            contenders = ["product", "pandas", "polars"]
            contenders = contenders[i % 3 :] + contenders[: i % 3]
            results = {}
            for name in contenders:
                started = time.perf_counter()
                if name == "product":
                    results[name] = page_view(ws, f"{page}?{query}", everything=False)
                else:
                    results[name] = peers[name](data[name], inp)
                times[name].append(time.perf_counter() - started)
            product = results["product"].kpis["revenue"].value
            agree &= all(abs(results[p]["cards"]["revenue"] - (product or 0)) < 0.01 for p in ("pandas", "polars"))
        out[page] = {
            "changes": len(times["product"]),
            **{f"{k}_p50_ms": round(statistics.median(v) * 1000) for k, v in times.items()},
            **{
                f"{peer}_over_product": round(
                    statistics.median(p / q for p, q in zip(times[peer], times["product"], strict=True)), 2
                )
                for peer in ("pandas", "polars")
            },
            "revenue_agrees": agree,
        }
    return out
