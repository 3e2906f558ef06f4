"""The chart rules (insight/chart_style.py) hold on the real figures of insight/charts/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import chart_style, formatting, i18n
from insight.charts import churn as churn_charts
from insight.charts import kinds as chart_kinds
from insight.charts import sales as sales_charts
from insight.charts import segments as segment_charts

RNG = np.random.default_rng(7)


def tr(lang: str):
    return lambda key, **values: i18n.t(key, lang, **values)


def series_frame(months: int = 12) -> pd.DataFrame:
    buckets = pd.date_range("2025-11-01", periods=months, freq="MS")
    return pd.DataFrame(
        {
            "bucket": buckets,
            "series": "current",
            "revenue": RNG.uniform(2e6, 4.2e6, months),
            "active_customers": RNG.integers(900, 1500, months),
        }
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dual_axes_draw_the_line_over_the_bars_on_aligned_round_ticks(lang):
    frame = series_frame()
    fig = chart_style.apply(sales_charts.trend(frame, tr(lang), "month"), lang)
    bars, line = fig["data"][0], fig["data"][1]
    assert bars["type"] == "bar" and line["type"] == "scatter"
    # the line's axis overlays the bars' axis: Plotly draws an overlaying axis's traces on top
    assert line["yaxis"] == "y2" and fig["layout"]["yaxis2"]["overlaying"] == "y" and bars.get("yaxis") in (None, "y")
    left, right = fig["layout"]["yaxis2"], fig["layout"]["yaxis"]
    assert len(left["tickvals"]) == len(right["tickvals"])  # same number of steps: the grid lines coincide
    for axis in (left, right):
        ticks = np.array(axis["tickvals"])
        steps = np.diff(ticks)
        assert np.allclose(steps, steps[0]) and ticks[0] == 0 and list(axis["range"]) == [ticks[0], ticks[-1]]
        mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
        assert round(mantissa, 6) in (1, 2, 5)
    assert left["tickvals"][-1] >= frame["revenue"].max()
    assert right["tickvals"][-1] >= frame["active_customers"].max()
    # the ticks and the hover read as the cards do
    assert list(left["ticktext"][1:]) == [formatting.value(v, "money", lang) for v in left["tickvals"][1:]]
    assert list(line["hovertext"]) == [formatting.value(v, "money", lang) for v in frame["revenue"]]
    if lang == "zh":
        assert all("万" in t for t in left["ticktext"][1:])


def moved_frame() -> pd.DataFrame:
    values = ["North", "East", "West", "South", "Hotline"]
    previous = [5.4e6, 13.1e6, 2.4e6, 10.9e6, 0.0]
    current = [6.3e6, 13.9e6, 2.9e6, 11.1e6, 0.0]  # Hotline: only the tickets have it
    frame = pd.DataFrame({"dimension": "region", "value": values, "previous": previous, "current": current})
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def test_the_waterfall_starts_from_a_zoomed_baseline_and_leaves_out_empty_values():
    moved = moved_frame()
    fig = chart_style.apply(sales_charts.waterfall(moved, "region", "Revenue", tr("en")), "en")
    shown = list(fig["data"][0]["x"])
    assert "Hotline" not in shown and len(shown) == 2 + 4
    running = moved["previous"].sum() + moved["change"].cumsum()
    low = min(moved["previous"].sum(), running.min())
    bottom, top = fig["layout"]["yaxis"]["range"]
    assert 0 < bottom < low and top >= moved["current"].sum()
    # the changes fill a sizeable part of the axis, not slivers beside the totals
    assert moved["change"].abs().max() / (top - bottom) > 0.1


def test_a_value_has_one_colour_in_every_chart():
    over_time = pd.DataFrame(
        {
            "bucket": list(pd.date_range("2026-01-01", periods=3, freq="MS")) * 3,
            "channel": ["Store"] * 3 + ["App"] * 3 + ["WeChat"] * 3,
            "revenue": RNG.uniform(1, 10, 9),
        }
    )
    stacked = chart_kinds.stacked(over_time, "revenue", "Revenue")
    service = pd.DataFrame({"channel": ["Hotline", "WeChat", "App", "Email"], "tickets": [9, 7, 5, 2]})
    bars = chart_kinds.bars(service, "channel", "tickets", "Tickets")
    in_stacked = {t["name"]: t["marker"]["color"] for t in stacked["data"]}
    in_bars = dict(zip(bars["data"][0]["x"], bars["data"][0]["marker"]["color"], strict=True))
    for channel in ("App", "WeChat"):
        assert in_stacked[channel] == in_bars[channel] == chart_style.color(channel, "channel")
    assert len(set(in_bars.values())) == len(in_bars)  # distinct within the chart
    assert chart_style.color("gold") == chart_style.TIER_COLORS["gold"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_heat_map_cells_fit_their_numbers_and_labels(lang):
    frame = pd.DataFrame(
        [(c, r, float(v)) for c in ("App", "Store") for r, v in (("East", 706_081.4), ("West", 4_215_000))],
        columns=["channel", "region", "revenue"],
    )
    fig = chart_style.apply(chart_kinds.heatmap(frame, "channel", "region", "revenue", "Revenue"), lang)
    texts = list(fig["data"][1]["text"])
    assert all(len(t) <= 6 for t in texts), texts  # 706K / 70.6万: never 706,081 clipped in a cell
    assert formatting.value(706_081.4, "int", lang) in texts
    grid = pd.DataFrame(
        [(r, f, f"{r}{f}", r * f) for r in range(1, 6) for f in range(1, 6)], columns=["r", "f", "rfm", "customers"]
    )
    label = {"en": lambda c: "Potential Loyalist", "zh": lambda c: "潜在忠诚客户"}[lang]
    fig = chart_style.apply(segment_charts.rf_grid(grid, "customers", "R × F", tr(lang), label), lang)
    width = chart_style.CELL_WRAP[lang == "zh"]
    for text in fig["data"][1]["text"]:
        assert all(len(line) <= max(width, len("Potential")) for line in text.split("<br>")), text


def test_text_on_dark_cells_is_white():
    assert chart_style.ink(90, 100) == "white" and chart_style.ink(10, 100) != "white"
    matrix = pd.DataFrame({"cohort": ["2026-01"] * 2, "offset": [0, 1], "retention": [1.0, 0.2], "customers": 10})
    fig = churn_charts.cohort_grid(matrix, "retention", "Cohorts")
    assert list(fig["data"][0]["textfont"]["color"]) == ["white", chart_style.ink(0.2, 1.0)]


def test_long_labels_wrap_in_both_languages():
    assert chart_style.wrap("About to Sleep", chart_style.CELL_WRAP) == "About to<br>Sleep"
    assert chart_style.wrap("Hibernating", chart_style.CELL_WRAP) == "Hibernating"  # one word stays whole
    assert chart_style.wrap("潜在忠诚客户", chart_style.CELL_WRAP) == "潜在忠诚<br>客户"  # the last word whole
    assert chart_style.wrap("需要关注的会员群组", (9, 4)) == "需要关<br>注的会<br>员群组"  # balanced, no lone character
    # the script of the label decides, not the page's language: an English campaign name on a Chinese page
    assert chart_style.wrap("CMP03 · Double 11 deals") == "CMP03 · Double<br>11 deals"
    fig = go_bars(["Fiber broadband 1000M", "Smart camera"])
    chart_style.apply(fig, "en")
    ticks = fig["layout"]["xaxis"]["ticktext"]
    assert ticks[0].count("<br>") >= 1 and ticks[1] == "Smart camera"


def go_bars(labels: list[str]):
    return chart_kinds.bars(pd.DataFrame({"product": labels, "tickets": [3, 2]}), "product", "tickets", "Tickets")


def test_wrapped_labels_from_the_data_stay_text():
    fig = chart_style.apply(go_bars(['<a href="https://evil.example">Fiber broadband</a>', "Smart camera"]), "en")
    assert "<a " not in " ".join(fig["layout"]["xaxis"]["ticktext"])
