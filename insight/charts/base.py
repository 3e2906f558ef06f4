"""What every chart shares: the title and font, number and date axes, and `inert`, which escapes
the text Plotly draws from the data."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight.chart_style import LEGEND, relayout

FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"  # draws Chinese titles in the PNG export too

T = Callable[..., str]


def layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    relayout(
        fig,
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
    relayout(fig, xaxis=axis)
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
