"""The Channel mix page: channels over time, cross-tabs, acquisition, migration and service."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from insight.db import dialect, facts
from insight.semantic import metrics, query
from insight.semantic.query import Query
from insight.semantic.scope import Scope

#: Customer stages of the seed practice, and what measures each channel's role in it.
ROLES = ("acquire", "care", "develop", "retain")


def over_time(scope: Scope, grain: str) -> pd.DataFrame:
    """Revenue, orders and customers per bucket × channel, with each channel's share of the bucket."""
    if scope.period is None or not scope.has("orders", "channel"):
        return pd.DataFrame(columns=["bucket", "channel", "revenue", "orders", "customers"])
    measures = ("revenue", "orders", "active_customers")
    frame = query.run(scope, Query(measures, ("channel",), grain=grain, sort=("bucket", "channel")))
    columns = {c: frame[c] for c in ("bucket", "channel", "revenue", "orders")}
    columns["customers"] = frame["active_customers"]
    buckets = columns["bucket"].tolist()
    for col in ("revenue", "orders", "customers"):  # a few hundred rows: summed per bucket here
        if columns[col].dtype == object:  # a measure the data cannot give (no customer ids): None
            columns[f"{col}_share"] = columns[col] / columns[col].groupby(buckets).transform("sum")
            continue
        totals = _sums(buckets, columns[col])
        whole = np.array([totals[b] for b in buckets], dtype=columns[col].dtype)
        with np.errstate(divide="ignore", invalid="ignore"):  # (a bucket of nothing: no share, as pandas gives it)
            columns[f"{col}_share"] = pd.Series(columns[col].to_numpy() / whole, index=frame.index)
    return pd.DataFrame(columns)


def crosstabs(scope: Scope, dims: tuple[str, ...] = ("region", "segment")) -> dict[str, pd.DataFrame]:
    """Revenue by channel × each of `dims`, long format, from one scan by channel × all of them
    (revenue adds up: a few hundred groups summed here)."""
    found = tuple(d for d in dims if query.dimension_sql(scope, "orders", d) is not None)
    if not scope.has("orders", "channel") or not found:
        return {dim: pd.DataFrame(columns=["channel", dim, "revenue"]) for dim in dims}
    frame = query.run(scope, Query(("revenue",), ("channel", *found)))
    out = {}
    for dim in dims:
        if dim not in found:
            out[dim] = pd.DataFrame(columns=["channel", dim, "revenue"])
            continue
        if frame.empty:  # (typed as the scan's columns)
            out[dim] = frame.groupby(["channel", dim], as_index=False, sort=True)["revenue"].sum()
            continue
        sums = _sums(list(zip(frame["channel"].tolist(), frame[dim].tolist(), strict=True)), frame["revenue"])
        keys = sorted(sums)
        out[dim] = pd.DataFrame(
            {
                "channel": [k[0] for k in keys],  # (text, as pandas' grouping gives its keys)
                dim: [k[1] for k in keys],
                "revenue": pd.Series([sums[k] for k in keys], dtype=frame["revenue"].dtype),
            }
        )
    return out


def _sums(keys: list, values: pd.Series) -> dict:
    """The sum of `values` per key (missing values skipped; floats exactly rounded: pandas' grouped
    sum may differ in the last digit, as the engine's own parallel sums do from run to run)."""
    parts: dict = {}
    for key, x in zip(keys, values.tolist(), strict=True):
        parts.setdefault(key, []).append(x)
    if not pd.api.types.is_float_dtype(values.dtype):
        return {key: sum(xs) for key, xs in parts.items()}
    return {key: math.fsum(x for x in xs if x == x) for key, xs in parts.items()}


def acquisition(scope: Scope, grain: str) -> pd.DataFrame:
    """New customers per bucket × first channel: customers whose first counted order (over all
    history) falls in the period and matches the filters."""
    if scope.period is None or not scope.has("orders", "channel", "customer_id"):
        return pd.DataFrame(columns=["bucket", "channel", "new_customers"])
    where, params = scope.where("orders")
    # (the customers' first orders alone where they are kept apart: the same rows, whatever the filters)
    table = scope.table(facts.FIRST_ORDERS if scope.snap.has(facts.FIRST_ORDERS) else "orders")
    return scope.query(
        f"""
        SELECT {dialect.trunc(grain, "t._first_at")} AS bucket, coalesce(t._first_channel, '(none)') AS channel,
               {metrics.distinct_customers(scope)} AS new_customers
        FROM {table} t
        WHERE {where} AND t._valid AND t.order_date = t._first_at
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        params,
    )


def migration(scope: Scope) -> pd.DataFrame:
    """Customers active in the period, by their first channel (over all history) × their latest
    channel in the period."""
    empty = pd.DataFrame(columns=["first_channel", "latest_channel", "customers"])
    if scope.period is None or not scope.has("orders", "channel", "customer_id", "_channel_code"):
        return empty
    where, params = scope.where("orders")
    counts = scope.query(
        f"""
        SELECT first_code, latest_code, count(*) AS customers
        FROM (
            SELECT t._cust, {dialect.any_of("t._first_channel_code")} AS first_code,
                   {dialect.last_by("t._channel_code", "t.order_date")} AS latest_code
            FROM {scope.table("orders")} t
            WHERE {where} AND t._valid AND t._cust IS NOT NULL
            GROUP BY 1
        ) c
        GROUP BY 1, 2
        """,
        params,
    )
    if counts.empty:
        return empty
    names = facts.channel_names(scope.ws, scope.snap.tables["orders"])
    out = pd.DataFrame(
        {
            "first_channel": [names.get(int(c), "(none)") if pd.notna(c) else "(none)" for c in counts["first_code"]],
            "latest_channel": [names.get(int(c), "(none)") if pd.notna(c) else "(none)" for c in counts["latest_code"]],
            "customers": counts["customers"].astype(int),
        }
    )
    return out.groupby(["first_channel", "latest_channel"], as_index=False)["customers"].sum()


def service(scope: Scope) -> pd.DataFrame:
    """Tickets by channel with complaints, CSAT and on-time rate (one scan: the tickets rollup
    where it serves the filters), most tickets first, ties by name."""
    ids = [m for m in ("complaints", "csat", "on_time_rate") if metrics.available(scope, m)]
    if not ids or not scope.has("tickets", "channel"):
        return pd.DataFrame(columns=["channel", "tickets", *ids])
    frame = query.run(scope, Query(("tickets", *ids), ("channel",), sort=("-tickets", "channel")))
    return frame.drop(columns="period_index")


def roles(scope: Scope) -> pd.DataFrame:
    """Each channel's share of each customer stage in the period:

    - acquire: first orders of new customers;
    - care: service tickets;
    - develop: revenue from existing (not new) customers;
    - retain: orders of customers retained from the comparison period.
    """
    other = scope.compare()
    if scope.period is None or not scope.has("orders", "channel", "customer_id"):
        return pd.DataFrame(columns=["channel", *ROLES])
    where, params = scope.where("orders")
    start = scope.period[0]
    prev = other.period if other else (start, start)
    # the set of the comparison period's customers, probed per order
    retained = dialect.key_set("t._cust", scope.customer_keys)
    is_retained = dialect.in_key_set("(SELECT kept FROM prev)", "t._cust", scope.customer_keys)
    frame = scope.query(
        f"""
        WITH prev AS (
            SELECT {retained} AS kept FROM {scope.table("orders")} t
            WHERE t._valid AND t._cust IS NOT NULL AND t.order_date >= ? AND t.order_date < ?
        )
        SELECT coalesce(t.channel, '(none)') AS channel,
               {metrics.distinct_customers(scope, "t.order_date = t._first_at")} AS acquire,
               coalesce(sum(t.amount) FILTER (WHERE t._first_at < ?), 0) AS develop,
               count(*) FILTER (WHERE {is_retained}) AS retain
        FROM {scope.table("orders")} t
        WHERE {where} AND t._valid
        GROUP BY 1
        """,
        [prev[0], prev[1] + dt.timedelta(days=1), start] + params,
    )
    if scope.has("tickets", "channel"):
        twhere, tparams = scope.where("tickets")
        care = scope.query(
            f"SELECT coalesce(CAST(t.channel AS VARCHAR), '(none)') AS channel, count(*) AS care "
            f"FROM {scope.table('tickets')} t WHERE {twhere} GROUP BY 1",
            tparams,
        )
        frame = frame.merge(care, on="channel", how="outer")
    else:
        frame["care"] = float("nan")
    frame = frame.fillna({"acquire": 0, "develop": 0, "retain": 0})
    for role in ROLES:
        total = frame[role].sum()
        frame[role] = frame[role] / total if total else float("nan")
    frame = frame.sort_values(["acquire", "channel"], ascending=[False, True])  # ties: by name, not row order
    return frame[["channel", *ROLES]].reset_index(drop=True)
