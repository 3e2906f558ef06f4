"""The overview and customer pages' charts: the revenue trend, the what-moved waterfall and one
customer's orders."""

from __future__ import annotations

import pandas as pd

from insight.chart_style import PALETTE, colors, nonempty, relayout
from insight.charts.base import COUNT_AXIS, NUMBER_AXIS, T, add, figure, layout, time_axis, trace


def trend(frame: pd.DataFrame, t: T, grain: str | None = None) -> dict:
    """Revenue (current and comparison, aligned by bucket) with active customers as bars."""
    fig = figure()
    current = frame[frame["series"] == "current"]
    comparison = frame[frame["series"] == "comparison"]
    add(
        fig,
        "bar",
        x=current["bucket"],
        y=current["active_customers"],
        name=t("metric.active_customers"),
        marker={"color": "#a5d8ff"},
        customdata=current["bucket"].astype(str),
        meta={"fmt": "int"},
    )
    add(
        fig,
        "scatter",
        x=current["bucket"],
        y=current["revenue"],
        name=f"{t('metric.revenue')} · {t('overview.current')}",
        line={"color": PALETTE[0], "width": 3},
        customdata=current["bucket"].astype(str),
        yaxis="y2",
        meta={"fmt": "money"},
    )
    if len(comparison):
        x = current["bucket"].iloc[: len(comparison)].tolist()
        add(
            fig,
            "scatter",
            x=x,
            y=comparison["revenue"].iloc[: len(x)],
            name=f"{t('metric.revenue')} · {t('overview.comparison')}",
            line={"color": PALETTE[0], "dash": "dot"},
            customdata=[str(b) for b in x],
            yaxis="y2",
            meta={"fmt": "money"},
        )
    # The line's axis overlays the bars' (so the line is drawn over them) and reads on the left.
    relayout(
        fig,
        yaxis={**COUNT_AXIS, "side": "right", "title": {"text": t("metric.active_customers")}},
        yaxis2={
            **NUMBER_AXIS,
            "overlaying": "y",
            "side": "left",
            "showgrid": False,
            "title": {"text": t("metric.revenue")},
        },
    )
    return time_axis(layout(fig, t("overview.trend")), grain, current["bucket"])


def waterfall(moved: pd.DataFrame, dim: str, metric_label: str, t: T, fmt: str = "money") -> dict:
    """Previous total → each value's contribution → current total, on a baseline just under the
    lowest running total (the changes are what the chart is for); values with nothing in either
    period are left out."""
    part = nonempty(moved[moved["dimension"] == dim])
    previous, current = part["previous"].sum(), part["current"].sum()
    running = previous + part["change"].cumsum()
    low, high = min(previous, current, *running), max(previous, current, *running)
    floor = max(0.0, low - 0.6 * (high - low)) if high > low else 0.0
    x = [t("overview.comparison"), *part["value"].tolist(), t("overview.current")]
    y = [previous, *part["change"].tolist(), current]
    fig = figure(
        trace(
            "waterfall",
            x=x,
            y=y,
            measure=["absolute"] + ["relative"] * len(part) + ["total"],
            customdata=[None, *part["value"].tolist(), None],
            connector={"line": {"color": "#adb5bd"}},
            meta={"fmt": fmt, "floor": floor},
            base=0,
        )
    )
    return layout(fig, t("overview.moved_chart", metric=metric_label, dim=t(f"dim.{dim}")), height=340)


def customer_orders(orders: pd.DataFrame, t: T, grain: str | None = None) -> dict:
    """One customer's orders over time: amount by date, one colour per channel, cancelled and
    returned orders hollow (they do not count in revenue)."""
    fig = figure()
    channels = orders["channel"].fillna("—") if "channel" in orders else pd.Series("—", index=orders.index)
    palette = colors(channels, "channel")
    for channel, part in orders.groupby(channels, sort=True):
        counted = part["counted"].fillna(False).astype(bool)
        for mask, hollow in ((counted, False), (~counted, True)):
            if mask.any():
                add(
                    fig,
                    "scatter",
                    x=part.loc[mask, "order_date"],
                    y=part.loc[mask, "amount"],
                    mode="markers",
                    name=f"{channel} · {t('customer.not_counted')}" if hollow else str(channel),
                    marker={"color": palette[channel], "size": 9, "symbol": "circle-open" if hollow else "circle"},
                    meta={"fmt": "money"},
                )
    return time_axis(layout(fig, t("customer.orders")), grain, orders["order_date"])
