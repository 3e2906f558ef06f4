"""What every chart shares: figures as the dicts Plotly would hold for them (`figure`, `trace`,
`hline`, `vline`), the title and font, number and date axes, and `inert`, which escapes the text
Plotly draws from the data."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.colors
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

from insight.chart_style import LEGEND, relayout

FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"  # draws Chinese titles in the PNG export too

T = Callable[..., str]
#: Plotly's "Blues" as a figure holds it (Plotly turns a scale's name into its colours).
BLUES = [[i / (len(plotly.colors.sequential.Blues) - 1), c] for i, c in enumerate(plotly.colors.sequential.Blues)]


def figure(*traces: dict) -> dict:
    """A figure dict of `traces` (what `go.Figure(traces).to_dict()` holds, less the template,
    which the finished chart is given). Plotly's own objects validate every value as it is set:
    that was most of the CPU a chart cost to build and style for a view not drawn before."""
    return {"data": list(traces), "layout": {}}


def trace(kind: str, **props) -> dict:
    """A trace dict of type `kind`: pandas data and numpy arrays become the arrays Plotly's
    validators would make of them (numbers go to the browser as typed arrays), nested dicts too."""
    return {"type": kind, **{key: _plain(value) for key, value in props.items()}}


def _plain(value):
    if isinstance(value, pd.Series | pd.Index | np.ndarray):
        return copy_to_readonly_numpy_array(value)
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    return value


def add(fig: dict, kind: str, **props) -> dict:
    """`fig.add_<kind>(**props)`."""
    fig["data"].append(trace(kind, **props))
    return fig


def hline(fig: dict, y: float, line: dict, yref: str = "y") -> dict:
    """`fig.add_hline`: a line across the plot at `y`."""
    return _shape(fig, {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": yref}, line)


def vline(fig: dict, x: float, line: dict) -> dict:
    """`fig.add_vline`: a line up the plot at `x`."""
    return _shape(fig, {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}, line)


def _shape(fig: dict, shape: dict, line: dict) -> dict:
    fig["layout"].setdefault("shapes", []).append({"line": dict(line), **shape})
    return fig


def layout(fig: dict, title: str, height: int = 360) -> dict:
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


def time_axis(fig: dict, grain: str | None, buckets) -> dict:
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


def inert(fig: dict) -> dict:
    """`fig` with every string Plotly draws from the data (category values, names, labels, and
    the title, which may name a column) HTML-escaped, so a campaign called `<a href=…>` shows as
    that text, never as a link. Plotly draws the escaped characters as they were; the charts' own
    line breaks (`<br>`) stay, and drill keys (`customdata`) are left as they are."""
    title = fig["layout"].get("title") or {}
    if title.get("text"):
        title["text"] = _text(title["text"])
    for trace in fig["data"]:
        for field in _TEXT_FIELDS:
            value = trace.get(field)
            if isinstance(value, str):
                trace[field] = _text(value)
            elif isinstance(value, tuple | list | np.ndarray | pd.Series | pd.Index):
                items = list(value)
                if any(isinstance(v, str) and any(c in v for c in "<>&") for v in items):
                    trace[field] = [_text(v) if isinstance(v, str) else v for v in items]
    return fig


def _text(value: str) -> str:
    return html.escape(value, quote=False).replace("&lt;br&gt;", "<br>")
