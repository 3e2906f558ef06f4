"""Chart notes: campaign periods and dated notes drawn on every time chart of their period — on
generated figures, in the app (AppTest reads the figure's shapes), at a share link and in reports."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random

import pandas as pd
import plotly.graph_objects as go
import pytest

from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.chart_style import relayout
from insight.charts import base as chart_base
from insight.charts import kinds as chart_kinds
from insight.charts.base import figure, trace
from insight.domain import annotations
from insight.domain.annotations import Mark
from insight.errors import InsightError
from insight.reports import document
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from tests.ui.test_app import app

D = dt.date


def shapes(fig: dict) -> dict[str, dict]:
    return {s["name"]: s for s in fig["layout"]["shapes"]}


def test_marks_in_range_are_drawn_and_the_others_not():
    days = pd.date_range("2026-01-01", "2026-03-31", freq="W-MON")
    fig = figure(trace("scatter", x=days, y=list(range(len(days)))))
    marks = [
        Mark(D(2026, 2, 1), D(2026, 2, 14), "Spring sale", "campaign", "C1"),
        Mark(D(2026, 3, 3), D(2026, 3, 3), "price rise", "note", "1"),
        Mark(D(2025, 12, 1), D(2025, 12, 10), "too early", "campaign", "C0"),
        Mark(D(2026, 6, 1), D(2026, 6, 1), "too late", "note", "2"),
        Mark(D(2025, 12, 20), D(2026, 1, 10), "<b>outage</b>", "note", "3"),
    ]
    drawn = shapes(annotations.draw(fig, marks))
    assert set(drawn) == {"campaign:C1", "note:1", "note:3"}
    assert drawn["campaign:C1"]["type"] == "rect" and drawn["note:1"]["type"] == "line"
    assert pd.Timestamp(drawn["note:3"]["x0"]) == pd.Timestamp("2026-01-05")  # clipped to the chart's range
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "&lt;b&gt;outage&lt;/b&gt;" in labels and "<b>outage</b>" not in labels


def test_month_categories_place_bands_on_their_months():
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    fig = relayout(figure(trace("scatter", x=months, y=list(range(6)))), xaxis={"type": "category"})
    drawn = shapes(annotations.draw(fig, [Mark(D(2026, 2, 10), D(2026, 3, 5), "CNY", "campaign", "C9")]))
    assert (drawn["campaign:C9"]["x0"], drawn["campaign:C9"]["x1"]) == (0.5, 2.5)  # February and March


@pytest.mark.parametrize("seed", range(12))
def test_charts_without_a_time_axis_are_left_alone(seed):
    rng = random.Random(seed)
    x = rng.choice(
        [
            [rng.randrange(100) for _ in range(5)],
            ["East", "West", "North"],
            ["2026", "2027"],
            [0.5, 1.5, 2.5],
            ["2026-01-01", "East"],
        ]
    )
    fig = figure(trace("bar", x=x, y=list(range(len(x)))))
    before = copy.deepcopy(fig)
    annotations.draw(fig, [Mark(D(2026, 1, 1), D(2026, 12, 31), "all year", "campaign", "C")])
    assert fig == before


@pytest.mark.parametrize("seed", range(8))
def test_overlay_dicts_are_what_plotly_holds_for_the_drawn_marks(seed):
    """The app puts `overlay`'s dicts straight into the figure it sends (no validation): each
    must be exactly what Plotly makes of it, and what `draw` adds after the chart's own shapes."""
    rng = random.Random(seed)
    start = D(2025, rng.randrange(1, 13), 1)
    if rng.random() < 0.5:
        x = [f"{d:%Y-%m}" for d in pd.date_range(start, periods=rng.randrange(2, 15), freq="MS")]
    else:
        x = list(pd.date_range(start, periods=rng.randrange(2, 60), freq=rng.choice(["D", "W-MON"])))
    marks = []
    for i in range(rng.randrange(1, 20)):
        first = start + dt.timedelta(days=rng.randrange(-60, 400))
        last = first + dt.timedelta(days=rng.choice([0, 0, rng.randrange(1, 90)]))
        marks.append(
            Mark(
                first, last, rng.choice(["<b>x</b>", "大促 & sale", "y" * 50]), rng.choice(["campaign", "note"]), str(i)
            )
        )
    fig = figure(trace("scatter", x=x, y=list(range(len(x)))))
    own = {"type": "line", "x0": 0, "x1": 1, "y0": 0.5, "y1": 0.5, "xref": "paper", "yref": "paper"}
    fig["layout"]["shapes"] = [own]  # a chart's own shape
    shapes, labels = annotations.overlay(fig, marks)
    assert [go.layout.Shape(s).to_plotly_json() for s in shapes] == shapes
    assert [go.layout.Annotation(a).to_plotly_json() for a in labels] == labels
    drawn = annotations.draw(fig, marks)["layout"]
    assert drawn["shapes"] == [own, *shapes] and drawn.get("annotations", []) == labels
    assert len(shapes) == len(labels) and all("<" not in a["text"] for a in labels)


def test_notes_need_an_analyst_and_sensible_text(demo_ws):
    viewer = users.add(demo_ws, "vic", "viewer", "a-long-password", RowScope.all())
    with pytest.raises(InsightError, match="analyst role"):
        annotations.add(demo_ws, viewer, D(2026, 3, 1), "outage")
    for text, end in (("", None), ("x" * 201, None), ("ok", D(2026, 2, 1))):
        with pytest.raises(InsightError):
            annotations.add(demo_ws, OWNER, D(2026, 3, 1), text, end)
    note = annotations.add(demo_ws, OWNER, D(2026, 3, 1), "  system\noutage ")
    assert annotations.notes(demo_ws)["text"].tolist() == ["system outage"]
    with pytest.raises(InsightError, match="someone else's"):
        annotations.remove(demo_ws, users.add(demo_ws, "ann", "analyst", "a-long-password", RowScope.all()), note)


def test_campaign_marks_follow_the_scope_and_the_campaign_filter(demo_ws):
    campaigns = demo_ws.query("SELECT * FROM campaigns")
    every = annotations.marks(Scope.open(demo_ws, Filters()))
    assert {m.ref for m in every if m.kind == "campaign"} == set(campaigns["campaign_id"])
    first = campaigns["campaign_id"].iloc[0]
    one = annotations.marks(Scope.open(demo_ws, Filters.from_query(f"campaign={first}")[0]))
    assert [m.ref for m in one if m.kind == "campaign"] == [first]
    east = annotations.marks(Scope.open(demo_ws, Filters(), rows=RowScope.parse(["region=East"])))
    assert [m for m in east if m.kind == "campaign"] == []  # campaigns cannot be checked against a region


def campaign_in(ws, start: str, end: str) -> str:
    found = ws.query(
        "SELECT campaign_id FROM campaigns WHERE start_date >= ? AND start_date <= ? ORDER BY start_date LIMIT 1",
        [start, end],
    )
    return found["campaign_id"].iloc[0]


def figure_shapes(at, key_part: str) -> set[str]:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if key_part in (chart.proto.id or "") or key_part in json.dumps(spec.get("layout", {}).get("title", {})):
            return {s.get("name") for s in spec["layout"].get("shapes", [])}
    raise AssertionError(f"no chart {key_part!r}")


def test_the_app_draws_notes_and_campaigns_on_time_charts(demo_ws, monkeypatch):
    note = annotations.add(demo_ws, OWNER, D(2026, 2, 20), "price rise")
    outside = annotations.add(demo_ws, OWNER, D(2025, 5, 1), "last year's outage")
    campaign = campaign_in(demo_ws, "2026-01-01", "2026-06-30")
    at = app(demo_ws, monkeypatch, query={"from": "2026-01-01", "to": "2026-06-30"})
    drawn = figure_shapes(at, "Revenue and active customers")
    assert {f"note:{note}", f"campaign:{campaign}"} <= drawn and f"note:{outside}" not in drawn
    moved = figure_shapes(at, "change by")  # the waterfall has no time axis
    assert moved == set()
    at = app(demo_ws, monkeypatch, "complaints", query={"from": "2026-01-01", "to": "2026-06-30"})
    assert f"note:{note}" in figure_shapes(at, "Complaints per week")


def test_a_report_draws_the_same_marks(demo_ws):
    note = annotations.add(demo_ws, OWNER, D(2026, 2, 20), "price rise")
    html = document.build(demo_ws, "overview?from=2026-01-01&to=2026-06-30", OWNER).html()
    assert f'"name":"note:{note}"' in html.replace(" ", "") and "price rise" in html
    assert chart_base.inert  # the report's figures go through the same escaping as the app's


CRAFTED = ['<a href="https://evil.example">x</a>', "<img src=x onerror=alert(1)>", "R&D <b>bold</b>"]


@pytest.mark.parametrize("value", CRAFTED)
def test_user_text_in_any_figure_stays_text(value):
    """Plotly draws names, labels, category values and titles as its own HTML subset (links
    included): every chart the app or a report shows escapes them, and keeps its own `<br>`."""
    frame = pd.DataFrame({"channel": [value, "App"], "bucket": ["2026-01-01", "2026-01-01"], "revenue": [1.0, 2.0]})
    figs = [
        chart_kinds.stacked(frame, "revenue", f"Revenue of {value}"),
        chart_kinds.bars(frame, "channel", "revenue", "t"),
        chart_kinds.rate_by(frame.rename(columns={"channel": "value"}), "revenue", "t"),
        figure(trace("scatter", x=[1], y=[2], text=[f"{value}<br>2"], name=value)),
    ]
    for fig in figs:
        drawn = " ".join(strings(chart_base.inert(fig), skip="customdata"))
        assert "<a " not in drawn and "<img" not in drawn and "<b>" not in drawn
        assert "&lt;" in drawn or "&amp;" in drawn
    assert figs[-1]["data"][0]["text"][0].endswith("<br>2")  # the chart's own line break stays
    assert value in [t["customdata"][0] for t in figs[0]["data"]]  # drill keys are the values themselves


def strings(node, skip: str) -> list[str]:
    """Every string in a figure's JSON tree (numpy arrays included), but under `skip`."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k != skip for s in strings(v, skip)]
    if isinstance(node, list | tuple) or hasattr(node, "tolist"):
        return [s for v in (node.tolist() if hasattr(node, "tolist") else node) for s in strings(v, skip)]
    return []
