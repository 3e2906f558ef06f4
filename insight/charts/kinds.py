"""Chart kinds more than one page draws: clickable heat-map tiles, bars, channel × time stacks,
histograms and horizontal rate bars. Every clickable mark carries its drill key in `customdata`."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from insight.chart_style import PALETTE, colors, ink, relayout
from insight.charts.base import BLUES, COUNT_AXIS, NUMBER_AXIS, add, figure, layout, time_axis, trace


def tiles(
    z: pd.DataFrame,
    custom: list[list[str]],
    title: str,
    labels: list[list[str]] | None = None,
    height: int = 360,
    fmt: str = "int",
) -> dict:
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
    fig = figure()
    add(
        fig,
        "heatmap",
        x=cols,
        y=rows,
        z=values,
        colorscale=BLUES,
        zmin=0,
        xgap=2,
        ygap=2,
        hoverinfo="skip",
        showscale=False,
    )
    add(
        fig,
        "scatter",
        x=xs,
        y=ys,
        mode="markers+text",
        textfont={"color": colors_, "size": 10},
        customdata=cs,
        meta={"fmt": fmt, "cells": True, "labels": ts, "values": zs},
        marker={"symbol": "square", "size": size, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
    )
    relayout(
        fig,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": cols, "showgrid": False},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": rows[::-1], "showgrid": False},
        showlegend=False,
    )
    return layout(fig, title, height=height)


def heatmap(frame: pd.DataFrame, row: str, col: str, value: str, title: str, drill_row: bool = True) -> dict:
    """A row × column heat map; a cell click drills on the row value."""
    wide = frame.pivot_table(index=row, columns=col, values=value, aggfunc="sum").fillna(0)
    custom = [[r if drill_row else c for c in wide.columns] for r in wide.index]
    fmt = "money" if value in ("revenue", "amount") else "int"
    return tiles(wide, custom, title, height=340 + 20 * max(0, len(wide.index) - 6), fmt=fmt)


#: Plotly number formats the pages still pass, onto our formats (insight/formatting.py).
_KINDS = {".0%": "pct", ".1%": "pct", ".2f": "num", ".3f": "num"}


def bars(frame: pd.DataFrame, x: str, y: str, title: str, fmt: str | None = None) -> dict:
    """One bar per value of `x`, each in its value's colour; a click carries the value."""
    palette = colors(frame[x], x)
    kind = _KINDS.get(fmt or "", fmt) or ("money" if y == "revenue" else "num" if y == "silhouette" else "int")
    fig = figure(
        trace(
            "bar",
            x=frame[x],
            y=frame[y],
            customdata=frame[x],
            marker={"color": [palette[v] for v in frame[x]]},
            meta={"fmt": kind},
        )
    )
    return layout(fig, title, height=320)


def coded_bars(
    frame: pd.DataFrame, code: str, y: str, title: str, label: Callable[[str], str], fmt: str | None = None
) -> dict:
    """Bars of codes shown by their translated label; a click carries the code."""
    palette = colors(frame[code], code)
    kind = _KINDS.get(fmt or "", fmt) or ("money" if y == "revenue" else "int")
    fig = figure(
        trace(
            "bar",
            x=[label(c) for c in frame[code]],
            y=frame[y],
            customdata=frame[code],
            marker={"color": [palette[c] for c in frame[code]]},
            meta={"fmt": kind},
        )
    )
    return layout(fig, title, height=340)


def stacked(frame: pd.DataFrame, column: str, title: str, percent: bool = False, grain: str | None = None) -> dict:
    """Channel × time-bucket stacked bars of `column` (a count, an amount or a share)."""
    fig = figure()
    palette = colors(frame["channel"], "channel")
    kind = "pct" if percent else "money" if column == "revenue" else "int"
    for channel, part in frame.groupby("channel", sort=True):
        add(
            fig,
            "bar",
            x=part["bucket"],
            y=part[column],
            name=channel,
            marker={"color": palette[channel]},
            customdata=[channel] * len(part),
            meta={"fmt": kind},
        )
    amounts = NUMBER_AXIS if column == "revenue" else COUNT_AXIS
    relayout(fig, barmode="stack", yaxis={"tickformat": ".0%"} if percent else amounts)
    return time_axis(layout(fig, title), grain, frame["bucket"])


def histogram(frame: pd.DataFrame, title: str, x_title: str) -> dict:
    fig = figure(
        trace(
            "bar",
            x=(frame["low"] + frame["high"]) / 2,
            y=frame["tickets"],
            width=(frame["high"] - frame["low"]) * 0.95,
            marker={"color": PALETTE[0]},
            meta={"fmt": "int"},
        )
    )
    relayout(fig, xaxis={"title": {"text": x_title}}, showlegend=False)
    return layout(fig, title, height=320)


def rate_by(frame: pd.DataFrame, value: str, title: str, fmt: str = ".0%") -> dict:
    """A horizontal bar per row of `frame` (`value` column), labels in `frame["value"]`."""
    shown = frame.iloc[::-1]
    fig = figure(
        trace(
            "bar",
            y=shown["value"].astype(str),
            x=shown[value],
            orientation="h",
            customdata=shown["value"].astype(str),
            marker={"color": PALETTE[0]},
            meta={"fmt": _KINDS.get(fmt, "num")},
        )
    )
    relayout(fig, yaxis={"type": "category"})
    return layout(fig, title, height=max(240, 60 + 30 * len(frame)))
