"""The charts are built as plain figure dicts (insight/charts/base.py `figure`, `trace`), never as
Plotly's objects: what the browser receives must be what Plotly's own objects make of the same
figure. Every chart of insight/charts/, on generated data of many shapes (empty, one row, NaN,
long, Markdown-ish and HTML-ish labels, Chinese), finished in both languages as a page finishes
it (insight/ui/interact.py `_styled`), is checked against the figure Plotly builds from it,
validating every value (`go.Figure(...)`), and its JSON."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest

from insight import chart_style, i18n
from insight.charts import base
from insight.charts import campaigns as campaign_charts
from insight.charts import churn as churn_charts
from insight.charts import complaints as complaint_charts
from insight.charts import kinds as chart_kinds
from insight.charts import sales as sales_charts
from insight.charts import segments as segment_charts
from insight.domain.annotations import Mark
from insight.ui import interact

SHAPES = ("empty", "one", "nan", "odd", "zh", "many")
#: Labels by shape: what users name channels, campaigns and categories.
LABELS = {
    "odd": ["<b>bold</b>", "a & b", "*x* _y_ [z](http://e.x)", "x" * 40, "Ünïcödé ✓ café", "# head", "$5 | `c`"],
    "zh": ["微信", "华东区域客户", "高价值忠诚客户", "淘宝旗舰店", "线下门店", "抖音直播间渠道"],
}
LABELS["nan"] = LABELS["many"] = ["App", "Store", "Web", "Partner", "Phone", "Mail", "Kiosk", "B2B"]
LABELS["one"] = LABELS["empty"] = ["App"]


def tr(lang: str):
    return lambda key, **values: i18n.t(key, lang, **values)


class Data:
    """Generated inputs of one shape: `n` rows (0 when empty), labels of the shape, numbers with
    NaN where the shape has them."""

    def __init__(self, shape: str, seed: int) -> None:
        self.shape, self.rng = shape, np.random.default_rng(seed)
        self.n = {"empty": 0, "one": 1}.get(shape, int(self.rng.integers(2, 9)))
        self.labels = [
            LABELS[shape][i % len(LABELS[shape])] + ("" if i < len(LABELS[shape]) else f" {i}") for i in range(self.n)
        ]

    def numbers(self, low: float = 0, high: float = 1e6, n: int | None = None) -> np.ndarray:
        n = self.n if n is None else n
        out = self.rng.uniform(low, high, n)
        if self.shape == "nan" and n:
            out[self.rng.random(n) < 0.3] = np.nan
        return out

    def counts(self, n: int | None = None) -> np.ndarray:
        return self.rng.integers(0, 5000, self.n if n is None else n)

    def days(self, freq: str = "D", n: int | None = None) -> pd.DatetimeIndex:
        start = pd.Timestamp("2026-01-05") + pd.Timedelta(days=int(self.rng.integers(0, 60)))
        return pd.date_range(start, periods=self.n if n is None else n, freq=freq)

    def months(self) -> list[str]:
        return [f"{d:%Y-%m}" for d in pd.date_range("2025-03-01", periods=self.n, freq="MS")]


def charts(d: Data, t) -> dict[str, dict]:
    """Every chart of insight/charts/ on `d`, in `t`'s language."""
    n, labels, rng = d.n, d.labels, d.rng
    label = lambda v: f"«{v}»"  # noqa: E731
    series = pd.DataFrame(
        {
            "series": ["current"] * n + ["comparison"] * (n // 2),
            "bucket": [*d.days("W-MON"), *d.days("W-MON")[: n // 2]],
            "revenue": d.numbers(n=n + n // 2),
            "active_customers": d.counts(n + n // 2),
        }
    )
    previous, current = d.numbers(), d.numbers()
    moved = pd.DataFrame(
        {
            "dimension": "channel",
            "value": labels,
            "previous": previous,
            "current": current,
            "change": current - previous,
        }
    )
    orders = pd.DataFrame(
        {
            "channel": [labels[i % 3] if i % 5 else None for i in range(n)] if n else [],
            "order_date": d.days(),
            "amount": d.numbers(),
            "counted": rng.random(n) < 0.7,
        }
    )
    by_channel = pd.DataFrame({"channel": labels, "revenue": d.numbers(-1e5, 1e7), "orders": d.counts()})
    over_time = pd.DataFrame(
        [(c, b, v) for c in labels[:3] for b, v in zip(d.days("MS"), d.numbers(), strict=True)],
        columns=["channel", "bucket", "revenue"],
    )
    over_time["revenue_share"] = d.rng.uniform(0, 1, len(over_time))
    cross = pd.DataFrame(
        [(c, r, v) for c in labels for r, v in zip(["East", "北区", "<i>W</i>"], d.numbers(n=3), strict=True)],
        columns=["channel", "region", "revenue"],
    )
    low = np.sort(rng.uniform(0, 100, n))  # bins' edges: numbers (Plotly refuses a bar of no width)
    hist = pd.DataFrame({"low": low, "high": low + 5, "tickets": d.counts()})
    rates = pd.DataFrame({"value": labels, "rate": d.numbers(0, 1)})
    trend = pd.DataFrame({"month": d.months(), "churn_rate": d.numbers(0, 0.3), "provisional": np.arange(n) >= n - 2})
    rate = d.numbers(0.05, 0.5)
    groups = pd.DataFrame(
        {
            "value": [*labels[:-1], None] if n > 1 else labels,
            "churn_rate": rate,
            "low": rate - 0.04,
            "high": rate + 0.04,
            "small": rng.random(n) < 0.3,
            "customers": d.counts(),
        }
    )
    cohorts = [f"{m:%Y-%m}" for m in pd.date_range("2025-01-01", periods=max(n, 1), freq="MS")][: max(n // 2, 1)]
    matrix = pd.DataFrame(
        [(c, o, rng.uniform(0, 1), int(rng.integers(1, 500))) for c in cohorts for o in range(n)],
        columns=["cohort", "offset", "retention", "customers"],
    )
    if d.shape == "nan" and len(matrix):
        matrix.loc[matrix.index[::3], "retention"] = np.nan
    survival = pd.DataFrame(
        [(g, tm, s) for g in labels[:3] for tm, s in zip(range(n), np.sort(d.numbers(0, 1))[::-1], strict=True)],
        columns=["group", "time", "survival"],
    )
    calibration = pd.DataFrame({"predicted": np.sort(d.numbers(0, 1)), "observed": d.numbers(0, 1)})
    importance = pd.DataFrame({"feature": labels, "importance": d.numbers(0, 1), "std": d.numbers(0, 0.1)})
    cats = pd.DataFrame({"value": labels, "complaints": np.sort(d.counts())[::-1]})
    cats["cum_share"] = (cats["complaints"].cumsum() / max(cats["complaints"].sum(), 1)).astype(float)
    weekly = pd.DataFrame(
        [(c, w, int(rng.integers(0, 50)), bool(rng.random() < 0.2)) for c in labels[:3] for w in d.days("W-MON")],
        columns=["category", "week", "complaints", "anomaly"],
    )
    quadrants = ["fix_first", "keep_up", "watch", "low_priority"]
    matrix_q = pd.DataFrame(
        {
            "value": labels,
            "complaints": d.counts(),
            "csat": d.numbers(1, 5),
            "quadrant": [quadrants[i % 4] for i in range(n)],
            "volume_median": 100.0,
            "csat_median": 3.2,
        }
    )
    codes = ["champions", "loyal", "at_risk", "lost"]
    grid = pd.DataFrame(
        [
            (r, f, rng.uniform(0, 1e6), int(rng.integers(0, 900)), codes[(r + f) % 4])
            for r in range(1, 6)
            for f in range(1, 6)
        ],
        columns=["r", "f", "revenue", "customers", "rfm"],
    )
    pairs = [(a, b) for a in codes for b in codes][: max(n, 1) * 2]
    transitions = pd.DataFrame({"from_rfm": [a for a, _ in pairs], "to_rfm": [b for _, b in pairs]})
    transitions["customers"] = rng.integers(0, 300, len(transitions))
    share = np.linspace(0, 1, n)
    curve = pd.DataFrame({"customer_share": share, "revenue_share": np.sqrt(share)})
    points = pd.DataFrame(
        {"cluster": rng.integers(1, 4, 5 * n), "x": d.numbers(-3, 3, 5 * n), "y": d.numbers(-3, 3, 5 * n)}
    )
    camps = pd.DataFrame(
        {
            "campaign_id": [f"C{i}" for i in range(n)],
            "label": labels,
            "conversion_rate": d.numbers(0, 0.4),
            "start_date": [dt.date(2026, 1 + i % 12, 1) for i in range(n)],
            "spend": d.numbers(0, 5e5),
        }
    )
    uplift = d.numbers(-0.1, 0.3)
    measured = camps.assign(
        uplift=uplift,
        uplift_low=uplift - 0.05,
        uplift_high=uplift + 0.05,
        significant=[bool(v) if i % 4 else None for i, v in enumerate(rng.random(n) < 0.5)],
        verdict=[f"verdict <{i}>" for i in range(n)],
    )
    who = pd.DataFrame(
        {
            "value": [*labels[:-1], None] if n else [],
            "response_rate": d.numbers(0, 1),
            "conversion_rate": d.numbers(0, 1),
        }
    )
    funnel = pd.DataFrame({"value": labels, "contacted": d.counts(), "responded": d.counts(), "converted": d.counts()})
    line = pd.DataFrame({"month": d.days("MS"), "revenue": d.numbers()})
    out = {
        "trend": sales_charts.trend(series, t),
        "trend_week": sales_charts.trend(series, t, "week"),
        "customer_orders": sales_charts.customer_orders(orders, t),
        "bars": chart_kinds.bars(by_channel, "channel", "revenue", "Revenue *by* <b>channel</b>"),
        "coded_bars": chart_kinds.coded_bars(by_channel, "channel", "orders", "Orders", label),
        "stacked": chart_kinds.stacked(over_time, "revenue", "Over time", grain="month"),
        "stacked_share": chart_kinds.stacked(over_time, "revenue_share", "Share", percent=True),
        "histogram": chart_kinds.histogram(hist, "Hours", "hours"),
        "rate_by": chart_kinds.rate_by(rates, "rate", "Rate"),
        "rate_by_num": chart_kinds.rate_by(rates, "rate", "Score", ".2f"),
        "heatmap": chart_kinds.heatmap(cross, "channel", "region", "revenue", "Channel × region"),
        "churn_trend": churn_charts.churn_trend(trend, trend.iloc[::-1].reset_index(drop=True), t),
        "rate_bars": churn_charts.rate_bars(groups, "By group", lambda v: "—" if v is None else label(v), t),
        "cohort_grid": churn_charts.cohort_grid(matrix, "retention", "Cohorts"),
        "retention_curves": churn_charts.retention_curves(matrix, cohorts[:2], "retention", t),
        "survival": churn_charts.survival(survival, "Survival", "days"),
        "complaint_pareto": complaint_charts.complaint_pareto(cats, "Pareto", t),
        "weekly_stacked": complaint_charts.weekly_stacked(weekly, "Weekly", t),
        "rf_grid": segment_charts.rf_grid(grid, "revenue", "R × F", t, label),
        "rf_grid_count": segment_charts.rf_grid(grid, "customers", "R × F", t, label),
        "moves": segment_charts.moves(transitions, tuple(codes), "Moves", label),
        "pareto": segment_charts.pareto(curve, 0.61 if n else None, t),
        "projection": segment_charts.projection(points, "Clusters", lambda c: f"{c} · 群{c}"),
        "conversion": campaign_charts.conversion(camps, "Conversion"),
        "uplift": campaign_charts.uplift(measured, "Uplift"),
        "who_responded": campaign_charts.who_responded(who, "Who", t),
        "funnel": campaign_charts.funnel(funnel, "Funnel", t),
        "timeline": campaign_charts.timeline(camps, line, t),
    }
    if n:  # the pages draw these only for data (a waterfall of nothing has no lowest total)
        out["waterfall"] = sales_charts.waterfall(moved, "channel", "Revenue", t)
        out["calibration"] = churn_charts.calibration(calibration, t)
        out["importance"] = churn_charts.importance(importance, label, t)
        out["importance_matrix"] = complaint_charts.importance_matrix(matrix_q, t)
    return out


def plain(value):
    """`value` with Plotly's typed arrays (`{"dtype", "bdata"}`) read back into numpy arrays."""
    if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return array.reshape([int(n) for n in str(value.get("shape", len(array))).split(",")])
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


MARKS = (
    Mark(dt.date(2026, 1, 20), dt.date(2026, 2, 10), "Spring <sale> & *more*", "campaign", "C1"),
    Mark(dt.date(2026, 2, 2), dt.date(2026, 2, 2), "涨价 note", "note", "7"),
)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_is_sent_as_plotlys_own_objects_write_it(shape, lang):
    """Each finished chart (styled, escaped, marks drawn, margins fitted) is JSON that Plotly
    writes the same after building its own validated figure from it: no value of it is one that
    Plotly would have coerced into something else (a colour scale's name, a title's bare text, a
    pandas column, a magic underscore)."""
    seed = SHAPES.index(shape) * 2 + (lang == "zh")
    built = charts(Data(shape, seed), tr(lang))
    assert len(built) >= 28
    for name, fig in built.items():
        height = 400 if name == "bars" else None
        spec = interact._styled(fig, lang, height, MARKS)
        sent = plotly.io.to_json(spec, validate=False)  # what st.plotly_chart writes for it
        reference = go.Figure(plain(copy.deepcopy(dict(spec))))
        assert json.loads(sent) == json.loads(plotly.io.to_json(reference)), (name, shape, lang)
        assert json.loads(sent)["layout"]["template"] == json.loads(go.Figure().to_json())["layout"]["template"], name


@pytest.mark.parametrize("seed", range(4))
def test_lines_across_the_plot_are_the_shapes_plotly_adds(seed):
    """`hline` and `vline` are Plotly's `add_hline` and `add_vline`, on either y axis."""
    rng = np.random.default_rng(seed)
    y, x = float(rng.uniform(-1e6, 1e6)), float(rng.uniform(0, 1))
    line = {"dash": str(rng.choice(["dot", "dash"])), "color": str(rng.choice(["#adb5bd", "red"]))}
    yref = str(rng.choice(["y", "y2"]))
    ours = base.vline(base.hline(base.figure(), y, line, yref=yref), x, line)
    theirs = go.Figure().add_hline(y=y, yref=yref, line=line).add_vline(x=x, line=line)
    assert ours["layout"]["shapes"] == theirs.to_dict()["layout"]["shapes"]


def test_named_parts_are_what_plotly_makes_of_the_names():
    """The heat maps' colour scale, a line's shape and an axis title are what Plotly's objects
    hold for "Blues", `line_shape` and a title's text."""
    theirs = go.Figure(go.Heatmap(z=[[1]], colorscale="Blues"), layout={"xaxis_title": "时间 <b>x</b>"})
    theirs.add_scatter(x=[1], line_shape="hv", line_color="red")
    ours = base.figure(base.trace("heatmap", z=[[1]], colorscale=base.BLUES))
    base.add(ours, "scatter", x=[1], line={"shape": "hv", "color": "red"})
    chart_style.relayout(ours, xaxis={"title": {"text": "时间 <b>x</b>"}})
    expected = theirs.to_dict()
    assert [{k: v for k, v in t.items() if k != "uid"} for t in expected["data"]] == ours["data"]
    assert expected["layout"]["xaxis"] == ours["layout"]["xaxis"]
