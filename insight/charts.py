"""Plotly figures for the pages. Every clickable mark carries its drill key in `customdata`; each
trace says how its figures read (`meta={"fmt": …}`), and insight/chart_style.py applies the chart
rules (formats, ticks, colours, labels) when the figure is drawn."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight.chart_style import LEGEND, PALETTE, colors, ink, nonempty

FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"  # draws Chinese titles in the PNG export too

T = Callable[..., str]


def layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=height,
        font={"family": FONT},
        legend=LEGEND,
        clickmode="event+select",
        dragmode=False,
    )
    return fig


#: Number axes read as people read numbers: 0 at the base, SI steps (500k, 1.5M), no long decimals.
#: (An overlaying second axis would otherwise sync its ticks to the first one's grid: 17.9314.)
NUMBER_AXIS = {"rangemode": "tozero", "tickformat": ".3~s", "tickmode": "auto"}
#: Counts: the same, but plain digits (SI would write half a customer as "500m").
COUNT_AXIS = {**NUMBER_AXIS, "tickformat": ",.3~r"}
#: Per time bucket: the tick label and the bucket's width (a date axis's dtick: ms or months).
_TIME_TICKS = {
    "hour": ("%H:%M<br>%Y-%m-%d", 3_600_000),
    "day": ("%Y-%m-%d", 86_400_000),
    "week": ("%Y-%m-%d", 7 * 86_400_000),
    "month": ("%Y-%m", 31 * 86_400_000),
}
MAX_TICKS = 7  # a half-width chart fits this many date labels without turning them


def time_axis(fig: go.Figure, grain: str | None, buckets) -> go.Figure:
    """A date x axis that fits the data: labels are dates (hours on a one-day chart), ticks fall on
    bucket boundaries at most `MAX_TICKS` times, and a lone bucket gets a bucket's width either side,
    so the axis never shows sub-millisecond ticks or raw numbers. Without a `grain`, the buckets'
    own spacing gives it."""
    values = pd.to_datetime(pd.Series(list(buckets))).dropna()
    fmt, width = _TIME_TICKS[grain or _grain_of(values)]
    axis: dict = {"type": "date", "tickformat": fmt, "hoverformat": fmt}
    if len(values):
        first, last = values.min(), values.max()
        buckets_spanned = int((last - first) / pd.Timedelta(milliseconds=width)) + 1
        every = max(1, math.ceil(buckets_spanned / MAX_TICKS))
        axis["dtick"] = f"M{every}" if grain == "month" else width * every
        axis["tick0"] = first
        if first == last:
            half = pd.Timedelta(milliseconds=width)
            axis["range"] = [first - half, last + half]
    fig.update_layout(xaxis=axis)
    return fig


def _grain_of(values: pd.Series) -> str:
    """The bucket of evenly spaced time buckets, from their smallest gap (a day without a gap)."""
    gaps = values.drop_duplicates().sort_values().diff().dropna()
    gap = gaps.min() if len(gaps) else pd.Timedelta(days=1)
    return (
        "hour"
        if gap < pd.Timedelta(days=1)
        else "day"
        if gap < pd.Timedelta(days=7)
        else ("week" if gap < pd.Timedelta(days=28) else "month")
    )


def trend(frame: pd.DataFrame, t: T, grain: str | None = None) -> go.Figure:
    """Revenue (current and comparison, aligned by bucket) with active customers as bars."""
    fig = go.Figure()
    current = frame[frame["series"] == "current"]
    comparison = frame[frame["series"] == "comparison"]
    fig.add_bar(
        x=current["bucket"],
        y=current["active_customers"],
        name=t("metric.active_customers"),
        marker_color="#a5d8ff",
        customdata=current["bucket"].astype(str),
        meta={"fmt": "int"},
    )
    fig.add_scatter(
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
        fig.add_scatter(
            x=x,
            y=comparison["revenue"].iloc[: len(x)],
            name=f"{t('metric.revenue')} · {t('overview.comparison')}",
            line={"color": PALETTE[0], "dash": "dot"},
            customdata=[str(b) for b in x],
            yaxis="y2",
            meta={"fmt": "money"},
        )
    # The line's axis overlays the bars' (so the line is drawn over them) and reads on the left.
    fig.update_layout(
        yaxis={**COUNT_AXIS, "side": "right", "title": t("metric.active_customers")},
        yaxis2={**NUMBER_AXIS, "overlaying": "y", "side": "left", "showgrid": False, "title": t("metric.revenue")},
    )
    return time_axis(layout(fig, t("overview.trend")), grain, current["bucket"])


def waterfall(moved: pd.DataFrame, dim: str, metric_label: str, t: T, fmt: str = "money") -> go.Figure:
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
    fig = go.Figure(
        go.Waterfall(
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


def stacked(frame: pd.DataFrame, column: str, title: str, percent: bool = False, grain: str | None = None) -> go.Figure:
    """Channel × time-bucket stacked bars of `column` (a count, an amount or a share)."""
    fig = go.Figure()
    palette = colors(frame["channel"], "channel")
    kind = "pct" if percent else "money" if column == "revenue" else "int"
    for channel, part in frame.groupby("channel", sort=True):
        fig.add_bar(
            x=part["bucket"],
            y=part[column],
            name=channel,
            marker_color=palette[channel],
            customdata=[channel] * len(part),
            meta={"fmt": kind},
        )
    amounts = NUMBER_AXIS if column == "revenue" else COUNT_AXIS
    fig.update_layout(barmode="stack", yaxis={"tickformat": ".0%"} if percent else amounts)
    return time_axis(layout(fig, title), grain, frame["bucket"])


def tiles(
    z: pd.DataFrame,
    custom: list[list[str]],
    title: str,
    labels: list[list[str]] | None = None,
    height: int = 360,
    fmt: str = "int",
) -> go.Figure:
    """A heat map whose cells can be clicked: Plotly's heat map draws the cells (they grow with the
    chart, so labels fit at any width) and an invisible marker on each cell takes the click
    (a heat map trace itself cannot be selected, so it could not drill). Rows are drawn top to
    bottom; each cell shows its number (in `fmt`, compact) under its label, if it has one (so no
    colour scale takes the cells' room)."""
    rows, cols = [str(r) for r in z.index], [str(c) for c in z.columns]
    values = z.to_numpy(dtype=float)
    top = float(values.max()) if values.size else 0.0
    xs, ys, zs, cs, ts, colors_ = [], [], [], [], [], []
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            xs.append(col)
            ys.append(row)
            zs.append(values[i, j])
            cs.append(custom[i][j])
            ts.append(labels[i][j] if labels else None)
            colors_.append(ink(values[i, j], top))
    size = max(12, min(40, (height - 110) / max(len(rows), 1) - 8))
    fig = go.Figure()
    fig.add_heatmap(
        x=cols, y=rows, z=values, colorscale="Blues", zmin=0, xgap=2, ygap=2, hoverinfo="skip", showscale=False
    )
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        textfont={"color": colors_, "size": 10},
        customdata=cs,
        meta={"fmt": fmt, "cells": True, "labels": ts, "values": zs},
        marker={"symbol": "square", "size": size, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
    )
    fig.update_layout(
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": cols, "showgrid": False},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": rows[::-1], "showgrid": False},
        showlegend=False,
    )
    return layout(fig, title, height=height)


def heatmap(frame: pd.DataFrame, row: str, col: str, value: str, title: str, drill_row: bool = True) -> go.Figure:
    """A row × column heat map; a cell click drills on the row value."""
    wide = frame.pivot_table(index=row, columns=col, values=value, aggfunc="sum").fillna(0)
    custom = [[r if drill_row else c for c in wide.columns] for r in wide.index]
    fmt = "money" if value in ("revenue", "amount") else "int"
    return tiles(wide, custom, title, height=340 + 20 * max(0, len(wide.index) - 6), fmt=fmt)


#: Plotly number formats the pages still pass, onto our formats (insight/formatting.py).
_KINDS = {".0%": "pct", ".1%": "pct", ".2f": "num", ".3f": "num"}


def bars(frame: pd.DataFrame, x: str, y: str, title: str, fmt: str | None = None) -> go.Figure:
    """One bar per value of `x`, each in its value's colour; a click carries the value."""
    palette = colors(frame[x], x)
    kind = _KINDS.get(fmt or "", fmt) or ("money" if y == "revenue" else "num" if y == "silhouette" else "int")
    fig = go.Figure(
        go.Bar(
            x=frame[x],
            y=frame[y],
            customdata=frame[x],
            marker_color=[palette[v] for v in frame[x]],
            meta={"fmt": kind},
        )
    )
    return layout(fig, title, height=320)


def coded_bars(
    frame: pd.DataFrame, code: str, y: str, title: str, label: Callable[[str], str], fmt: str | None = None
) -> go.Figure:
    """Bars of codes shown by their translated label; a click carries the code."""
    palette = colors(frame[code], code)
    kind = _KINDS.get(fmt or "", fmt) or ("money" if y == "revenue" else "int")
    fig = go.Figure(
        go.Bar(
            x=[label(c) for c in frame[code]],
            y=frame[y],
            customdata=frame[code],
            marker_color=[palette[c] for c in frame[code]],
            meta={"fmt": kind},
        )
    )
    return layout(fig, title, height=340)


def rf_grid(grid: pd.DataFrame, value: str, title: str, t: T, label: Callable[[str], str]) -> go.Figure:
    """The 5 × 5 R × F grid (R 5 on top); each cell names its segment, a click lists it."""
    wide = grid.pivot(index="r", columns="f", values=value).sort_index(ascending=False)
    seg = grid.pivot(index="r", columns="f", values="rfm").sort_index(ascending=False)
    labels = [[label(seg.loc[r, f]) for f in wide.columns] for r in wide.index]
    custom = [[f"cell:{r}-{f}" for f in wide.columns] for r in wide.index]
    kind = "money" if value == "revenue" else "int"
    fig = tiles(wide.rename(index=lambda r: f"R{r}", columns=lambda f: f"F{f}"), custom, title, labels, 460, kind)
    fig.update_layout(xaxis_title=t("seg.f"), yaxis_title=t("seg.r"))
    return fig


def moves(frame: pd.DataFrame, order: tuple[str, ...], title: str, label: Callable[[str], str]) -> go.Figure:
    """Segment now (columns) against the comparison period (rows); a click lists the movers."""
    codes = [c for c in order if c in set(frame["from_rfm"]) | set(frame["to_rfm"])]
    wide = frame.pivot_table(index="from_rfm", columns="to_rfm", values="customers", aggfunc="sum")
    wide = wide.reindex(index=codes, columns=codes).fillna(0)
    custom = [[f"move:{a}>{b}" for b in codes] for a in codes]
    return tiles(wide.rename(index=label, columns=label), custom, title, height=560)


def pareto(curve: pd.DataFrame, top20: float | None, t: T) -> go.Figure:
    """Cumulative revenue share against cumulative customer share, with the 80/20 point."""
    fig = go.Figure(
        go.Scatter(x=curve["customer_share"], y=curve["revenue_share"], mode="lines", line={"color": PALETTE[0]})
    )
    fig.add_hline(y=0.8, line={"dash": "dot", "color": "#adb5bd"})
    fig.add_vline(x=0.2, line={"dash": "dot", "color": "#adb5bd"})
    if top20 is not None:
        fig.add_scatter(
            x=[0.2],
            y=[top20],
            mode="markers+text",
            marker={"size": 11, "color": PALETTE[1]},
            text=[t("seg.pareto.point", share=f"{top20:.1%}")],
            textposition="middle right",
        )
    fig.update_layout(
        showlegend=False,
        xaxis={"tickformat": ".0%", "title": t("seg.pareto.x")},
        yaxis={"tickformat": ".0%", "title": t("seg.pareto.y")},
    )
    return layout(fig, t("seg.pareto"), height=380)


def projection(points: pd.DataFrame, title: str, label: Callable[[int], str]) -> go.Figure:
    """Customers on two principal components, one colour per cluster; a click lists the cluster."""
    fig = go.Figure()
    for cluster, part in points.groupby("cluster", sort=True):
        fig.add_scattergl(
            x=part["x"],
            y=part["y"],
            mode="markers",
            name=label(int(cluster)),
            marker={"size": 4, "color": PALETTE[(int(cluster) - 1) % len(PALETTE)], "opacity": 0.6},
            customdata=[f"cluster:{int(cluster)}"] * len(part),
        )
    return layout(fig, title, height=420)


def customer_orders(orders: pd.DataFrame, t: T, grain: str | None = None) -> go.Figure:
    """One customer's orders over time: amount by date, one colour per channel, cancelled and
    returned orders hollow (they do not count in revenue)."""
    fig = go.Figure()
    channels = orders["channel"].fillna("—") if "channel" in orders else pd.Series("—", index=orders.index)
    palette = colors(channels, "channel")
    for channel, part in orders.groupby(channels, sort=True):
        counted = part["counted"].fillna(False).astype(bool)
        for mask, hollow in ((counted, False), (~counted, True)):
            if mask.any():
                fig.add_scatter(
                    x=part.loc[mask, "order_date"],
                    y=part.loc[mask, "amount"],
                    mode="markers",
                    name=f"{channel} · {t('customer.not_counted')}" if hollow else str(channel),
                    marker={"color": palette[channel], "size": 9, "symbol": "circle-open" if hollow else "circle"},
                    meta={"fmt": "money"},
                )
    return time_axis(layout(fig, t("customer.orders")), grain, orders["order_date"])


# --- churn ------------------------------------------------------------------------------------


def churn_trend(frame: pd.DataFrame, compare: pd.DataFrame | None, t: T) -> go.Figure:
    """Monthly churn rate; provisional months hollow on a dotted stretch; the comparison period
    dashed, aligned month by month. A click on a month sets the period to it."""
    fig = go.Figure()
    months = [str(m)[:7] for m in frame["month"]]
    final = ~frame["provisional"].to_numpy(bool)
    last_final = max((i for i, f in enumerate(final) if f), default=-1)
    solid = frame["churn_rate"].where(final)
    fig.add_scatter(
        x=months,
        y=solid,
        mode="lines+markers",
        name=t("churn.trend.current"),
        line={"color": PALETTE[0]},
        customdata=[str(m) for m in frame["month"]],
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    if not final.all():
        tail = frame["churn_rate"].where(~final | (pd.Series(range(len(frame))) == last_final).to_numpy())
        fig.add_scatter(
            x=months,
            y=tail,
            mode="lines+markers",
            name=t("churn.trend.provisional"),
            line={"color": PALETTE[0], "dash": "dot"},
            marker={"symbol": "circle-open", "size": 9},
            customdata=[str(m) for m in frame["month"]],
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    if compare is not None and len(compare):
        n = min(len(compare), len(frame))
        fig.add_scatter(
            x=months[:n],
            y=compare["churn_rate"].iloc[:n],
            mode="lines",
            name=t("churn.trend.compare"),
            line={"color": PALETTE[7], "dash": "dash"},
            text=[str(m)[:7] for m in compare["month"].iloc[:n]],
            hovertemplate="%{text}: %{y:.1%}<extra></extra>",
        )
    fig.update_layout(yaxis={"tickformat": ".1%", "rangemode": "tozero"}, xaxis={"type": "category"})
    return layout(fig, t("churn.trend"))


def rate_bars(frame: pd.DataFrame, title: str, label: Callable[[str], str], t: T) -> go.Figure:
    """Churn rate per group with its 95 % interval; small groups grey and last."""
    shown = frame.iloc[::-1]
    names = [label(v) for v in shown["value"]]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=shown["churn_rate"],
            orientation="h",
            marker={"color": [PALETTE[7] if s else PALETTE[1] for s in shown["small"]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["high"] - shown["churn_rate"],
                "arrayminus": shown["churn_rate"] - shown["low"],
            },
            customdata=[str(v) if v is not None and v == v else "" for v in shown["value"]],
            text=[f"{r:.1%} · n={int(n):,}" for r, n in zip(shown["churn_rate"], shown["customers"], strict=True)],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white"},
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    fig.update_layout(xaxis={"tickformat": ".0%", "rangemode": "tozero"}, yaxis={"type": "category"})
    return layout(fig, title, height=max(260, 60 + 34 * len(frame)))


def cohort_grid(matrix: pd.DataFrame, column: str, title: str) -> go.Figure:
    """Cohort × months-since retention, complete cells only: an incomplete cell is left empty."""
    rows = sorted(matrix["cohort"].unique())
    cells = matrix.dropna(subset=[column])
    size = max(14, min(40, 300 / max(len(rows), 1)))
    fig = go.Figure(
        go.Scatter(
            x=cells["offset"],
            y=cells["cohort"],
            mode="markers+text",
            text=[f"{v:.0%}" for v in cells[column]],
            textfont={"size": 10, "color": [ink(v, 1.0) for v in cells[column]]},
            customdata=cells["cohort"],
            marker={
                "symbol": "square",
                "size": size,
                "color": cells[column],
                "colorscale": "Blues",
                "cmin": 0,
                "cmax": 1,
                "showscale": True,
                "line": {"width": 0},
            },
            hovertemplate="%{y} +%{x}: %{marker.color:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"dtick": 1, "showgrid": False, "title": None},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": rows[::-1], "showgrid": False},
        showlegend=False,
    )
    return layout(fig, title, height=max(320, 90 + 26 * len(rows)))


def retention_curves(matrix: pd.DataFrame, cohorts: list[str], column: str, t: T) -> go.Figure:
    """Retention by months since first order for the chosen cohorts, and the average of all."""
    fig = go.Figure()
    weights = matrix.assign(w=matrix[column] * matrix["customers"]).groupby("offset")[["w", "customers"]].sum()
    fig.add_scatter(
        x=weights.index,
        y=weights["w"] / weights["customers"],
        mode="lines",
        name=t("churn.cohorts.average"),
        line={"color": PALETTE[7], "width": 3, "dash": "dash"},
    )
    for i, cohort in enumerate(cohorts):
        part = matrix[matrix["cohort"] == cohort]
        fig.add_scatter(
            x=part["offset"],
            y=part[column],
            mode="lines+markers",
            name=cohort,
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    fig.update_layout(yaxis={"tickformat": ".0%", "rangemode": "tozero"}, xaxis={"dtick": 1})
    return layout(fig, t("churn.cohorts.curves"))


def survival(curves: pd.DataFrame, title: str, x_title: str) -> go.Figure:
    """Kaplan–Meier curves, one step line per group."""
    fig = go.Figure()
    for i, (name, part) in enumerate(curves.groupby("group", sort=False)):
        fig.add_scatter(
            x=part["time"],
            y=part["survival"],
            mode="lines",
            line_shape="hv",
            name=str(name),
            line={"color": PALETTE[i % len(PALETTE)]},
            hovertemplate=f"{name}: %{{y:.1%}} @ %{{x:.0f}}<extra></extra>",
        )
    fig.update_layout(yaxis={"tickformat": ".0%", "range": [0, 1.02]}, xaxis={"title": x_title})
    return layout(fig, title)


def calibration(frame: pd.DataFrame, t: T) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name=t("churn.model.perfect"), line={"color": "#adb5bd", "dash": "dot"}
    )
    fig.add_scatter(
        x=frame["predicted"],
        y=frame["observed"],
        mode="lines+markers",
        name=t("churn.model.observed"),
        line={"color": PALETTE[0]},
    )
    top = float(max(frame["predicted"].max(), frame["observed"].max(), 0.05)) * 1.1
    fig.update_layout(
        xaxis={"tickformat": ".0%", "range": [0, top], "title": t("churn.model.predicted")},
        yaxis={"tickformat": ".0%", "range": [0, top]},
    )
    return layout(fig, t("churn.model.calibration"))


def importance(frame: pd.DataFrame, label: Callable[[str], str], t: T, top: int = 12) -> go.Figure:
    shown = frame.head(top).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=[label(f) for f in shown["feature"]],
            x=shown["importance"],
            orientation="h",
            error_x={"type": "data", "array": shown["std"]},
            marker={"color": PALETTE[0]},
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    return layout(fig, t("churn.model.importance"), height=max(280, 60 + 26 * len(shown)))


# --- complaints -------------------------------------------------------------------------------


def complaint_pareto(frame: pd.DataFrame, title: str, t: T) -> go.Figure:
    """Complaints by category (most first) with the cumulative share and the 80 % line; a click
    on a bar drills (its value is in customdata)."""
    fig = go.Figure()
    fig.add_bar(
        x=frame["value"],
        y=frame["complaints"],
        customdata=frame["value"],
        marker_color=[PALETTE[1] if c <= 0.8 + 1e-9 else PALETTE[7] for c in frame["cum_share"].shift(fill_value=0)],
        name=t("metric.complaints"),
        meta={"fmt": "int"},
    )
    fig.add_scatter(
        x=frame["value"],
        y=frame["cum_share"],
        yaxis="y2",
        mode="lines+markers",
        name=t("cmp.cum_share"),
        line={"color": PALETTE[0]},
        meta={"fmt": "pct"},
    )
    fig.add_hline(y=0.8, yref="y2", line={"dash": "dot", "color": PALETTE[0]})
    fig.update_layout(
        xaxis={"type": "category"},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero", "showgrid": False},
    )
    return layout(fig, title, height=380)


def weekly_stacked(frame: pd.DataFrame, title: str, t: T) -> go.Figure:
    """Complaints per week stacked by category, with anomalous weeks (> mean + 3σ of their
    category) marked."""
    fig = go.Figure()
    palette = colors(frame["category"], "category")
    for category, part in frame.groupby("category", sort=True):
        fig.add_bar(
            x=part["week"], y=part["complaints"], name=category, marker_color=palette[category], meta={"fmt": "int"}
        )
    odd = frame[frame["anomaly"]]
    if len(odd):
        totals = frame.groupby("week")["complaints"].sum()
        fig.add_scatter(
            x=odd["week"],
            y=[totals[w] for w in odd["week"]],
            mode="markers",
            marker={"symbol": "x", "size": 12, "color": "#c92a2a"},
            name=t("cmp.anomaly"),
            text=odd["category"],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis=COUNT_AXIS)
    return time_axis(layout(fig, title, height=380), "week", frame["week"])


def histogram(frame: pd.DataFrame, title: str, x_title: str) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=(frame["low"] + frame["high"]) / 2,
            y=frame["tickets"],
            width=(frame["high"] - frame["low"]) * 0.95,
            marker_color=PALETTE[0],
            meta={"fmt": "int"},
        )
    )
    fig.update_layout(xaxis={"title": x_title}, showlegend=False)
    return layout(fig, title, height=320)


def rate_by(frame: pd.DataFrame, value: str, title: str, fmt: str = ".0%") -> go.Figure:
    """A horizontal bar per row of `frame` (`value` column), labels in `frame["value"]`."""
    shown = frame.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=shown["value"].astype(str),
            x=shown[value],
            orientation="h",
            customdata=shown["value"].astype(str),
            marker_color=PALETTE[0],
            meta={"fmt": _KINDS.get(fmt, "num")},
        )
    )
    fig.update_layout(yaxis={"type": "category"})
    return layout(fig, title, height=max(240, 60 + 30 * len(frame)))


def importance_matrix(frame: pd.DataFrame, t: T) -> go.Figure:
    """Categories by volume (x) and CSAT (y), split at the medians; bottom right: fix first."""
    colours = {"fix_first": "#c92a2a", "keep_up": PALETTE[2], "watch": PALETTE[4], "low_priority": PALETTE[7]}
    fig = go.Figure(
        go.Scatter(
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
    fig.add_vline(x=float(frame["volume_median"].iloc[0]), line={"dash": "dot", "color": "#adb5bd"})
    fig.add_hline(y=float(frame["csat_median"].iloc[0]), line={"dash": "dot", "color": "#adb5bd"})
    fig.update_layout(showlegend=False, xaxis={"title": t("metric.complaints")}, yaxis={"title": t("metric.csat")})
    return layout(fig, t("cmp.matrix"), height=400)


#: Trace fields that Plotly draws as text (its own HTML subset, links included).
_TEXT_FIELDS = ("x", "y", "text", "name", "hovertext", "labels")


def inert(fig: go.Figure) -> go.Figure:
    """`fig` with every string Plotly draws from the data (category values, names, labels, and
    the title, which may name a column) HTML-escaped, so a campaign called `<a href=…>` shows as
    that text, never as a link. Plotly draws the escaped characters as they were; the charts' own
    line breaks (`<br>`) stay, and drill keys (`customdata`) are left as they are."""
    if fig.layout.title.text:
        fig.layout.title.text = _text(fig.layout.title.text)
    for trace in fig.data:
        for field in _TEXT_FIELDS:
            value = trace[field] if field in trace else None
            if isinstance(value, str):
                trace[field] = _text(value)
            elif isinstance(value, tuple | list | np.ndarray | pd.Series | pd.Index):
                items = list(value)
                if any(isinstance(v, str) and any(c in v for c in "<>&") for v in items):
                    trace[field] = [_text(v) if isinstance(v, str) else v for v in items]
    return fig


def _text(value: str) -> str:
    return html.escape(value, quote=False).replace("&lt;br&gt;", "<br>")
