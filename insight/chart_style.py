"""The chart rules, written down once. `apply(fig, lang)` enforces them on every figure a page or a
report draws (insight/ui/interact.chart, insight/reports/document); insight/charts/ builds the
figures and tags each trace's figures with their format (`meta={"fmt": "money"}`).

1. **Numbers read as on the cards.** Axis ticks, hover labels and the numbers on cells use
   `insight.formatting` in the reader's language (CN¥1.2M / ¥120万, 23%, 1,234), on round ticks
   (1, 2 or 5 × 10ⁿ) counted from zero.
2. **Dual axes: the line over the bars.** The bars take the first axis and the line the
   overlaying one, so the line is drawn on top; both axes get the same number of round ticks, so
   their grid lines coincide (never 32 / 712 / 1392).
3. **Waterfalls start from a zoomed baseline** just under their lowest running total
   (`meta={"floor": …}`), so the changes are not slivers beside two huge totals.
4. **One colour per dimension value** in every chart: `color(value, dim)` gives a value its
   colour the first time it is drawn (from its checksum, moved on to a colour no other value of
   its dimension has yet) and keeps it, so a channel reads the same on every chart. Value tiers
   keep their own colours.
5. **Labels fit at 1024 and 1440 wide, in both languages.** Long category labels wrap (Chinese
   by characters); text on marks is at least 10 px or hidden; axes make room for their labels.
6. **Parts of a split with nothing in them are not drawn** (`nonempty`).
7. **Text on coloured cells** is white on dark cells and dark on light ones (`ink`).
8. **Legends sit above the plot**, clear of the axis titles.
"""

from __future__ import annotations

import copy
import functools
import html
import math
import re
import threading
import zlib

import pandas as pd
import plotly.io as pio

from insight import formatting

PALETTE = [
    "#1f6feb",
    "#e8590c",
    "#2f9e44",
    "#ae3ec9",
    "#f59f00",
    "#0ca678",
    "#e64980",
    "#495057",
    "#74c0fc",
    "#8d6e63",
    "#5c940d",
    "#c2255c",
]
#: Value tiers in their own colours on every chart.
TIER_COLORS = {"diamond": "#1971c2", "gold": "#f59f00", "silver": "#adb5bd", "basic": "#dee2e6"}
#: Characters per line of a category label before it wraps, and of a label in a heat-map cell, for
#: Latin and for Chinese text (a Chinese character is about twice as wide).
WRAP = (14, 7)
CELL_WRAP = (9, 5)
#: Words that end many Chinese labels (segment names): wrapped whole.
_CJK_SUFFIXES = ("客户", "用户", "会员")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def relayout(fig: dict, props: dict | None = None, **more) -> dict:
    """`fig.update_layout(props, **more)` on a figure dict: nested parts merged into what is there."""
    merge(fig.setdefault("layout", {}), {**(props or {}), **more})
    return fig


def merge(obj: dict, props: dict) -> None:
    """`obj.update(props)` as Plotly updates a part of a figure: a dict is merged into the part
    of that name (a copy: the dicts given are often shared constants), None removes a value."""
    for key, value in props.items():
        if value is None:
            obj.pop(key, None)
        elif isinstance(value, dict):
            part = obj.get(key)
            if not isinstance(part, dict):
                part = obj[key] = {}
            merge(part, value)
        else:
            obj[key] = value


def axis_names(fig: dict) -> list[str]:
    """The names of the figure's cartesian axes (`xaxis`, `yaxis` and any `xaxis2`, `yaxis2` …)."""
    return ["xaxis", "yaxis", *(k for k in fig["layout"] if re.fullmatch(r"[xy]axis\d+", k))]


def template() -> dict:
    """The layout template a new Plotly figure starts with (Streamlit's, once Streamlit's chart
    element is imported), as a figure dict holds it: shared, never written."""
    return _template(pio.templates.default)


@functools.cache
def _template(name: str) -> dict:
    return copy.deepcopy(pio.templates[name].to_plotly_json())


MIN_TEXT = 10  # px: text on marks smaller than this is hidden, not shrunk
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1, "title": {"text": ""}}


def color(value, dim: str = "") -> str:
    """The colour of a value of dimension `dim`, the same in every chart this server draws: the
    first time a value is seen it takes the colour its checksum points at, or the next one no
    value of its dimension has yet (so a dimension's first dozen values get distinct colours),
    and keeps it."""
    text = str(value)
    if text in TIER_COLORS:
        return TIER_COLORS[text]
    with _LOCK:
        assigned = _ASSIGNED.setdefault(dim, {})
        if text not in assigned:
            start = zlib.crc32(text.encode("utf-8")) % len(PALETTE)
            taken = set(assigned.values()) if len(assigned) < len(PALETTE) else set()
            ring = [PALETTE[(start + i) % len(PALETTE)] for i in range(len(PALETTE))]
            if len(assigned) >= _MAX_ASSIGNED:
                assigned.pop(next(iter(assigned)))
            assigned[text] = next((c for c in ring if c not in taken), ring[0])
        return assigned[text]


_ASSIGNED: dict[str, dict[str, str]] = {}
_MAX_ASSIGNED = 10_000  # values kept per dimension
_LOCK = threading.Lock()


def colors(values, dim: str = "") -> dict:
    """`color` of each of one chart's values (met in sorted order, so a first chart assigns them
    the same way every time); past a dozen values of a dimension, a value whose colour another
    value of this chart already has takes the next free one."""
    out: dict = {}
    for v in sorted(set(values), key=str):
        c = color(v, dim)
        if c in out.values() and str(v) not in TIER_COLORS:
            start = PALETTE.index(c) if c in PALETTE else 0
            ring = [PALETTE[(start + i) % len(PALETTE)] for i in range(len(PALETTE))]
            c = next((x for x in ring if x not in out.values()), c)
        out[v] = c
    return out


def nonempty(part: pd.DataFrame, columns: tuple[str, ...] = ("previous", "current")) -> pd.DataFrame:
    """The rows of a split that hold something (a value only the other table has is left out)."""
    keep = (part[list(columns)].fillna(0) != 0).any(axis=1)
    return part[keep]


def ink(value: float, top: float) -> str:
    """Text colour on a cell of the Blues scale: white on the dark cells."""
    return "white" if top and value > 0.55 * top else "#212529"


def wrap(label: str, widths: tuple[int, int] = WRAP) -> str:
    """A label on lines of at most `widths` characters (Latin, Chinese): words kept whole,
    Chinese wrapped between characters."""
    text = str(label)
    width = widths[1] if _CJK.search(text) else widths[0]
    if len(text) <= width:
        return text
    if " " not in text.strip():  # Chinese wraps between characters; one long word stays whole
        if not _CJK.search(text):
            return text
        for suffix in _CJK_SUFFIXES:  # a word that ends the label goes whole onto the last line
            if text.endswith(suffix) and len(text) - len(suffix) <= width:
                return f"{text[: -len(suffix)]}<br>{suffix}"
        size = math.ceil(len(text) / math.ceil(len(text) / width))  # balanced lines, no lone character
        return "<br>".join(text[i : i + size] for i in range(0, len(text), size))
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def apply(fig: dict, lang: str = "en") -> dict:
    """`fig` (a figure dict) with the chart rules applied in `lang` (see the module's docstring)."""
    axes: dict[str, tuple[str, list]] = {}
    for trace in fig["data"]:
        meta = trace.get("meta") if isinstance(trace.get("meta"), dict) else {}
        kind = meta.get("fmt")
        if not kind:
            continue
        if meta.get("cells"):
            _cells(trace, kind, lang, meta)
            continue
        horizontal = trace.get("orientation") == "h"
        if trace.get("x" if horizontal else "y") is None:
            continue
        axis = _axis_name(trace.get("xaxis" if horizontal else "yaxis"), "x" if horizontal else "y")
        axes.setdefault(axis, (kind, []))[1].append(trace)
        _hover(trace, kind, lang, horizontal)
    _ticks(fig, axes, lang)
    _wrap_categories(fig)
    style = {name: {"automargin": True} for name in axis_names(fig)}
    relayout(fig, style, uniformtext={"minsize": MIN_TEXT, "mode": "hide"}, legend=LEGEND, title={"automargin": True})
    return fig


def _axis_name(ref: str | None, letter: str) -> str:
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def _hover(trace: dict, kind: str, lang: str, horizontal: bool) -> None:
    values = trace["x" if horizontal else "y"]
    trace["hovertext"] = [formatting.value(v, kind, lang) for v in values]
    key = "%{y}" if horizontal else "%{x}"
    trace["hovertemplate"] = f"{key}: %{{hovertext}}<extra>%{{fullData.name}}</extra>"


def _cells(trace: dict, kind: str, lang: str, meta: dict) -> None:
    """A heat map's cells: the number of each in the reader's format (compact, so it fits the
    cell), under its label where the cell has one; the hover in full."""
    values = list(meta["values"])
    labels = meta.get("labels") or [None] * len(values)
    short = "int" if kind == "money" else kind  # the title names the amount; the sign would not fit
    numbers = ["0" if v == 0 else formatting.value(v, short, lang) for v in values]
    trace["text"] = [f"{wrap(lbl, CELL_WRAP)}<br>{n}" if lbl else n for lbl, n in zip(labels, numbers, strict=True)]
    full = [formatting.value(v, kind, lang, compact=False) for v in values]
    trace["hovertext"] = [f"{y} × {x}: {f}" for x, y, f in zip(trace["x"], trace["y"], full, strict=True)]
    trace["hovertemplate"] = "%{hovertext}<extra></extra>"


def _extent(fig: dict, traces: list[dict], horizontal_axis: bool) -> tuple[float, float]:
    """The lowest and highest value the axis must show (stacked bars summed, error bars included)."""
    stacked = fig["layout"].get("barmode") in ("stack", "relative")
    highs: list[float] = []
    lows: list[float] = [0.0]
    sums: dict = {}
    for trace in traces:
        vertical = trace.get("orientation") != "h"
        values = pd.to_numeric(pd.Series(list(trace["y" if vertical else "x"])), errors="coerce")
        if trace["type"] == "waterfall":  # running totals ("total" bars repeat the running total)
            measure = list(trace.get("measure") or [])
            values = values.where([m != "total" for m in measure] if measure else True, 0).cumsum()
        error = trace.get("error_y" if vertical else "error_x") or {}
        if error.get("array") is not None:
            values = values + pd.to_numeric(pd.Series(list(error["array"])), errors="coerce").fillna(0)
        if stacked and trace["type"] == "bar":
            keys = list(trace["x" if vertical else "y"])
            for k, v in zip(keys, values, strict=True):
                sums[k] = sums.get(k, 0) + (0 if pd.isna(v) else v)
        highs.append(float(values.max()) if values.notna().any() else 0.0)
        lows.append(float(values.min()) if values.notna().any() else 0.0)
    if sums:
        highs.append(max(sums.values()))
    return min(lows), max([*highs, 0.0])


def _ticks(fig: dict, axes: dict[str, tuple[str, list]], lang: str) -> None:
    """Round ticks in the reader's format; overlaid axes share their number of steps."""
    plans = {}
    for name, (kind, traces) in axes.items():
        axis = fig["layout"].get(name, {})
        if axis.get("type") in ("date", "category") or axis.get("tickformat") and kind not in ("pct", "money", "int"):
            continue
        fixed = axis.get("range")
        low, high = (fixed[0], fixed[1]) if fixed else _extent(fig, traces, name.startswith("x"))
        floor = next((t["meta"].get("floor") for t in traces if t["meta"].get("floor")), None)
        if floor is not None:
            low = floor
        step = formatting.nice_step(max(high - low, 1e-9), 5)
        if kind == "int":
            step = max(step, 1.0)
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        plans[name] = [kind, step, first, max(last, first + 1), fixed is not None]
    overlaid = [n for n in plans if fig["layout"].get(n, {}).get("overlaying")]
    for name in overlaid:
        base = _axis_name(fig["layout"][name]["overlaying"], name[0])
        if base in plans:
            steps = max(plans[name][3] - plans[name][2], plans[base][3] - plans[base][2])
            for plan in (plans[name], plans[base]):
                plan[3] = plan[2] + steps
    for name, (kind, step, first, last, fixed) in plans.items():
        ticks = [k * step for k in range(first, last + 1)]
        relayout(
            fig,
            {
                name: {
                    "tickmode": "array",
                    "tickvals": ticks,
                    "ticktext": [_tick(v, kind, step, lang) for v in ticks],
                    "range": None if fixed else [first * step, last * step],
                    "rangemode": None,
                }
            },
        )


def _tick(v: float, kind: str, step: float, lang: str) -> str:
    if kind == "pct":
        digits = 0 if step >= 0.01 - 1e-12 else 1
        return formatting.percent_ticks(v, lang, digits)
    if v == 0:
        return "0"
    if kind in ("money", "int", "per1000"):
        return formatting.value(v, kind, lang)
    return formatting.decimal(v, lang, 0 if step >= 1 else 1 if step >= 0.1 else 2)


def _wrap_categories(fig: dict) -> None:
    """Long category labels on two or more lines (the data keeps its values; only ticks change)."""
    for letter in ("x", "y"):
        seen: list = []
        for trace in fig["data"]:
            values = trace.get(letter)
            if values is None or trace["type"] not in ("bar", "box"):
                continue
            seen += [v for v in values if isinstance(v, str) and v not in seen]
        widths = tuple(w * (2 if letter == "y" else 1) for w in WRAP)
        if any(wrap(v, widths) != v for v in seen):
            relayout(
                fig,
                {
                    f"{letter}axis": {
                        "tickmode": "array",
                        "tickvals": seen,
                        "ticktext": [wrap(html.escape(v, quote=False), widths) for v in seen],  # data: text
                    }
                },
            )
