"""The complaints page's charts: the category Pareto, weekly volumes and the importance matrix."""

from __future__ import annotations

import pandas as pd

from insight.chart_style import PALETTE, colors, relayout
from insight.charts.base import COUNT_AXIS, T, add, figure, hline, layout, time_axis, trace, vline


def complaint_pareto(frame: pd.DataFrame, title: str, t: T) -> dict:
    """Complaints by category (most first) with the cumulative share and the 80 % line; a click
    on a bar drills (its value is in customdata)."""
    fig = figure()
    add(
        fig,
        "bar",
        x=frame["value"],
        y=frame["complaints"],
        customdata=frame["value"],
        marker={
            "color": [PALETTE[1] if c <= 0.8 + 1e-9 else PALETTE[7] for c in frame["cum_share"].shift(fill_value=0)]
        },
        name=t("metric.complaints"),
        meta={"fmt": "int"},
    )
    add(
        fig,
        "scatter",
        x=frame["value"],
        y=frame["cum_share"],
        yaxis="y2",
        mode="lines+markers",
        name=t("cmp.cum_share"),
        line={"color": PALETTE[0]},
        meta={"fmt": "pct"},
    )
    hline(fig, 0.8, yref="y2", line={"dash": "dot", "color": PALETTE[0]})
    relayout(
        fig,
        xaxis={"type": "category"},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero", "showgrid": False},
    )
    return layout(fig, title, height=380)


def weekly_stacked(frame: pd.DataFrame, title: str, t: T) -> dict:
    """Complaints per week stacked by category, with anomalous weeks (> mean + 3σ of their
    category) marked."""
    fig = figure()
    palette = colors(frame["category"], "category")
    for category, part in frame.groupby("category", sort=True):
        add(
            fig,
            "bar",
            x=part["week"],
            y=part["complaints"],
            name=category,
            marker={"color": palette[category]},
            meta={"fmt": "int"},
        )
    odd = frame[frame["anomaly"]]
    if len(odd):
        totals = frame.groupby("week")["complaints"].sum()
        add(
            fig,
            "scatter",
            x=odd["week"],
            y=[totals[w] for w in odd["week"]],
            mode="markers",
            marker={"symbol": "x", "size": 12, "color": "#c92a2a"},
            name=t("cmp.anomaly"),
            text=odd["category"],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    relayout(fig, barmode="stack", yaxis=COUNT_AXIS)
    return time_axis(layout(fig, title, height=380), "week", frame["week"])


def importance_matrix(frame: pd.DataFrame, t: T) -> dict:
    """Categories by volume (x) and CSAT (y), split at the medians; bottom right: fix first."""
    colours = {"fix_first": "#c92a2a", "keep_up": PALETTE[2], "watch": PALETTE[4], "low_priority": PALETTE[7]}
    fig = figure(
        trace(
            "scatter",
            x=frame["complaints"],
            y=frame["csat"],
            mode="markers+text",
            text=frame["value"],
            textposition="top center",
            customdata=frame["value"],
            marker={"size": 14, "color": [colours[q] for q in frame["quadrant"]]},
            hovertemplate="%{text}: %{x:,} · CSAT %{y:.2f}<extra></extra>",
        )
    )
    vline(fig, float(frame["volume_median"].iloc[0]), line={"dash": "dot", "color": "#adb5bd"})
    hline(fig, float(frame["csat_median"].iloc[0]), line={"dash": "dot", "color": "#adb5bd"})
    relayout(
        fig,
        showlegend=False,
        xaxis={"title": {"text": t("metric.complaints")}},
        yaxis={"title": {"text": t("metric.csat")}},
    )
    return layout(fig, t("cmp.matrix"), height=400)
