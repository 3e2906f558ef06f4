"""Room for a chart's labels, reserved on the server so the browser draws each chart once.

Plotly's `automargin` measures the drawn tick labels, legend and title and, when they do not fit
the margins, draws the whole chart again with wider ones. With the small margins the charts had,
every chart was drawn two or three times: in Chromium that was two thirds of a page's drawing
(the Channel mix page: 0.38 s against 0.10 s for its five charts). `fit` estimates, from the label
texts in the figure, margins that already hold them (a little generously: Latin text at its widest
digits, Chinese at a full em), so the first drawing is the last; `automargin` stays on and still
widens a margin the estimate missed (that chart is then drawn twice, as before).
"""

from __future__ import annotations

import math
import re

import numpy as np

#: Pixels per character of the 12 px chart font: digits and capitals, lower case and spaces, Chinese
#: (an em).
LATIN_PX, NARROW_PX, WIDE_PX = 7.5, 6.8, 13.0
#: A line of tick or legend text; the gap between the tick labels and the plot (y axes; x axes,
#: and more under the cells of a heat map).
LINE_PX, Y_GAP_PX, X_GAP_PX, CELL_GAP_PX = 17, 22, 19, 7
#: An axis title (14 px text and its distance from the labels: y, x), a legend item's swatch and
#: gap, the width a row of category labels must fit in and a plot's width (half a wide page:
#: a legend row is what the title beside it leaves of it), a colour bar, the overhang of an x
#: axis's last number.
Y_TITLE_PX, X_TITLE_PX, SWATCH_PX, ROW_PX, PLOT_PX, COLORBAR_PX, OVERHANG_PX = 42, 32, 44, 440, 400, 100, 28
#: The chart title's size against the 12 px the widths are estimated at.
TITLE_SCALE = 15 / 12
#: Plotly turns category labels that do not fit side by side (up to this many: more are thinned
#: out instead), and a turned label takes about this share of its width in height.
TURNED_UP_TO, TURNED_SHARE = 12, 0.5
_WIDE = re.compile(r"[%\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_NARROW = re.compile(r"[a-z ]")
_TAG = re.compile(r"<(?!br\s*/?>)[^>]*>", re.IGNORECASE)
_AXIS = re.compile(r"([xy])axis(\d*)")


def lines(text) -> list[str]:
    """The lines a label is drawn on (`<br>` breaks them; other tags draw nothing)."""
    return re.split(r"<br\s*/?>", _TAG.sub("", str(text)), flags=re.IGNORECASE)


def width(text) -> float:
    """The drawn width of a label's longest line, in pixels (an estimate, on the wide side)."""
    return max(
        len(line) * LATIN_PX
        + len(_WIDE.findall(line)) * (WIDE_PX - LATIN_PX)
        - len(_NARROW.findall(line)) * (LATIN_PX - NARROW_PX)
        for line in lines(text)
    )


def fit(spec: dict, base: dict[str, int]) -> dict[str, int]:
    """Margins (l, r, t, b) for the figure `spec` (a figure dict) that hold its tick labels, axis
    titles, legend and colour bars, and at least `base`."""
    layout, data = spec.get("layout", {}), spec.get("data", [])
    margin = dict(base)
    for name, axis in layout.items():
        found = _AXIS.fullmatch(name)
        if not found or not isinstance(axis, dict) or axis.get("visible") is False:
            continue
        labels = _labels(found[1], found[2], axis, data)
        titled = bool((axis.get("title") or {}).get("text"))
        if found[1] == "y":
            side = "r" if axis.get("side") == "right" else "l"
            need = max((width(label) for label in labels), default=4 * LATIN_PX) + Y_GAP_PX + Y_TITLE_PX * titled
        else:
            side = "t" if axis.get("side") == "top" else "b"
            cells = CELL_GAP_PX * any(_colored(t) for t in data if (t.get("xaxis") or "x") == "x" + found[2])
            need = _height(labels) + cells + X_TITLE_PX * titled
            if axis.get("type") not in ("category", "date"):  # the last number overhangs the plot
                overhang = max(width(label) for label in labels) / 2 + 11 if labels else OVERHANG_PX
                margin["r"] = max(margin["r"], math.ceil(overhang))
        margin[side] = max(margin[side], math.ceil(need))
    margin["t"] = max(margin["t"], _top(layout, data))
    scale = (layout.get("coloraxis") or {}).get("showscale", "coloraxis" in layout)
    bars = [
        t for t in data if _colored(t) and t.get("showscale") is not False or (t.get("marker") or {}).get("showscale")
    ]
    if scale or bars:
        margin["r"] = max(margin["r"], COLORBAR_PX)
    return margin


def _height(labels: list) -> float:
    """The height of a row of x tick labels: their lines, or turned by 30° when they do not fit
    side by side (turned by 30°)."""
    rows = max((len(lines(label)) for label in labels), default=1) * LINE_PX
    if len(labels) <= TURNED_UP_TO and sum(width(label) + 8 for label in labels) > ROW_PX:
        rows = rows * 0.87 + max(width(label) for label in labels) * TURNED_SHARE
    return rows + X_GAP_PX


def _labels(letter: str, number: str, axis: dict, data: list[dict]) -> list:
    """The tick labels of an axis: its own tick texts, else a category axis's values, else a
    date axis's format (for its number of lines), else none known."""
    if axis.get("showticklabels") is False:
        return [""]
    if axis.get("ticktext") is not None:
        return list(axis["ticktext"])
    if axis.get("categoryarray") is not None:
        return list(axis["categoryarray"])
    if axis.get("type") == "date":
        return [axis.get("tickformat") or "2026-01"]
    arrays = [trace.get(letter) for trace in data if (trace.get(f"{letter}axis") or letter) == letter + number]
    return [v for array in arrays if _texts(array) for v in array if isinstance(v, str)]


def _texts(array) -> bool:
    """Whether a trace's coordinates are texts (categories), without reading them all."""
    if isinstance(array, np.ndarray):
        return array.dtype.kind in "OU" and array.size > 0 and isinstance(array.flat[0], str)
    return isinstance(array, list | tuple) and len(array) > 0 and isinstance(array[0], str)


def _top(layout: dict, data: list[dict]) -> int:
    """The title and, above the plot, the legend's rows."""
    title = layout.get("title") or {}
    top = 42 if title.get("text") else 10
    legend = layout.get("legend") or {}
    shown = [t.get("name") for t in data if t.get("showlegend") is not False and t.get("name")]
    visible = layout.get("showlegend", len(shown) > 1)
    if visible and shown and legend.get("orientation") == "h" and legend.get("yanchor") == "bottom":
        items = sum(width(name) + SWATCH_PX for name in dict.fromkeys(shown))
        row = max(PLOT_PX - width(title.get("text") or "") * TITLE_SCALE, PLOT_PX / 3)
        top += 18 * (math.ceil(items / row) - 1)  # a first row fits beside the title
    return top


def _colored(trace: dict) -> bool:
    """A heat map (or the like): cells, with a colour bar unless it is hidden."""
    return trace.get("type") in ("heatmap", "contour", "histogram2d")
