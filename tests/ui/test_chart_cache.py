"""The finished charts are shared between sessions (insight/ui/interact.py `finished`): a second
visitor of the same view gets the first one's figure without building it again, and nobody ever
gets a figure of other rows, other data or another language. Checked on the real app (AppTest),
against pandas."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.db.workspace import Workspace
from insight.domain import annotations
from insight.ingest.importer import import_file
from insight.ui import interact
from tests.apptest_support import app, assert_clean, clean_caches  # noqa: F401  (clean_caches: autouse)
from tests.auth.test_access import region_figures

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
START, END = "2026-01-01", "2026-07-01"


def trend(at) -> dict:
    """The Overview's trend chart as the browser receives it."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if "overview_trend" in chart.proto.id:
            return spec
    raise AssertionError("no trend chart")


def values(array) -> np.ndarray:
    """A trace's numbers, whether Plotly sent a list or a base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def revenue(spec: dict) -> float:
    """The current revenue line's total: the period's revenue."""
    line = next(t for t in spec["data"] if t.get("yaxis") == "y2" and "dash" not in t.get("line", {}))
    return float(values(line["y"]).sum())


def signed_in(ws, monkeypatch, name: str, query: dict):
    at = app(ws, monkeypatch, signed_in=False, query=query)
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(f"{name} password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert_clean(at)
    return at


def test_a_second_visitor_of_a_view_gets_the_same_figure_without_building_it(demo_ws, monkeypatch):
    first = trend(app(demo_ws, monkeypatch, query=PERIOD))
    built = interact._finish.cache_info()
    again = trend(app(demo_ws, monkeypatch, query=PERIOD))
    after = interact._finish.cache_info()
    assert again == first
    assert after.misses == built.misses and after.hits > built.hits  # drawn from the shared figure


def test_the_same_figure_from_another_workspace_is_styled_once(demo_ws, demo_file, monkeypatch, tmp_path):
    """A copy of the workspace (another file, the same rows): its view is its own, built anew, and
    the figure built from it is the first one's, styled once (keyed by its content)."""
    first = trend(app(demo_ws, monkeypatch, query=PERIOD))
    copy = Workspace(shutil.copy(demo_file, tmp_path / "copy.duckdb"))
    views, styled = interact._finish.cache_info(), interact._styled.cache_info()
    again = trend(app(copy, monkeypatch, query=PERIOD))
    copy.close()
    assert again == first
    assert interact._finish.cache_info().misses > views.misses  # another workspace: its own view ...
    assert interact._styled.cache_info().hits > styled.hits  # ... and the same figure, not styled again


def test_users_with_other_rows_never_see_each_others_figures(demo_ws, monkeypatch, demo_raw):
    """The administrator and an East-only viewer open the same link one after the other: each
    trend adds up to the revenue of the rows they may see."""
    users.add(demo_ws, "ed", "viewer", "ed password", RowScope.parse(["region=East"]))
    users.add(demo_ws, "wes", "viewer", "wes password", RowScope.parse(["region=West"]))
    everyone = set(demo_raw["orders"]["region"].dropna())
    admin = revenue(trend(app(demo_ws, monkeypatch, query=PERIOD)))
    east = revenue(trend(signed_in(demo_ws, monkeypatch, "ed", PERIOD)))
    west = revenue(trend(signed_in(demo_ws, monkeypatch, "wes", PERIOD)))
    assert admin == pytest.approx(region_figures(demo_raw, START, END, everyone)["revenue"])
    assert east == pytest.approx(region_figures(demo_raw, START, END, {"East"})["revenue"])
    assert west == pytest.approx(region_figures(demo_raw, START, END, {"West"})["revenue"])
    assert len({admin, east, west}) == 3


def test_a_published_import_is_drawn_at_once(demo_ws, monkeypatch, demo_raw, tmp_path):
    """The same link before and after an append of orders in the period: the new figure, with the
    new orders, as pandas adds them up."""
    before = revenue(trend(app(demo_ws, monkeypatch, query=PERIOD)))
    everyone = set(demo_raw["orders"]["region"].dropna())
    assert before == pytest.approx(region_figures(demo_raw, START, END, everyone)["revenue"])
    orders = demo_raw["orders"]
    sample = orders[(orders["order_date"] >= START) & (orders["order_date"] < END)].head(40)
    added = sample.assign(order_id="X" + sample["order_id"].astype(str), amount=sample["amount"] + 1000.0)
    added.to_csv(tmp_path / "more.csv", index=False)
    import_file(demo_ws, tmp_path / "more.csv", "orders", mode="append")
    after = revenue(trend(app(demo_ws, monkeypatch, query=PERIOD)))
    both = {"orders": pd.concat([orders, added], ignore_index=True)}
    assert after == pytest.approx(region_figures(both, START, END, everyone)["revenue"])
    assert after > before


def test_the_language_and_a_new_note_make_a_new_figure(demo_ws, monkeypatch):
    english = trend(app(demo_ws, monkeypatch, query=PERIOD))
    chinese = trend(app(demo_ws, monkeypatch, query={**PERIOD, "lang": "zh"}))
    assert english["layout"]["title"]["text"] == "Revenue and active customers"
    assert chinese["layout"]["title"]["text"] == "收入与活跃客户趋势"
    note = annotations.add(demo_ws, OWNER, dt.date(2026, 2, 20), "price rise")
    noted = trend(app(demo_ws, monkeypatch, query=PERIOD))
    shapes = {s.get("name") for s in noted["layout"].get("shapes", [])}
    assert f"note:{note}" in shapes and f"note:{note}" not in {s.get("name") for s in english["layout"]["shapes"]}


@pytest.mark.parametrize("seed", range(6))
def test_a_finished_chart_is_sent_as_plotly_writes_it(seed):
    """`st.plotly_chart` writes a finished chart's JSON once (insight/ui/interact.py `_to_json`):
    the JSON is the one Plotly writes for a copy of the figure dict, on the first call and after,
    each chart its own; any other figure is written by Plotly as before."""
    import copy

    import plotly.graph_objects as go
    import plotly.io
    from plotly.io import _json

    from insight.charts import kinds

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    labels = rng.choice(
        ["App", "微信", "<b>bold</b>", "a & b", "Store", "x" * 30], n, replace=False if n <= 6 else True
    )
    amounts = rng.uniform(-1e6, 1e7, n)
    amounts[rng.random(n) < 0.2] = np.nan
    frame = pd.DataFrame({"channel": labels, "revenue": amounts})
    lang = ("en", "zh")[seed % 2]
    specs = [interact._styled(kinds.bars(frame, "channel", "revenue", "Revenue <i>by</i> channel"), lang, None, ())]
    specs.append(interact._styled(kinds.bars(frame.iloc[::-1], "channel", "revenue", "Reversed"), lang, 400, ()))
    for spec in specs:
        plain = _json.to_json(copy.deepcopy(dict(spec)), validate=False)
        assert plotly.io.to_json(spec, validate=False) == plain
        assert plotly.io.to_json(spec, validate=False) == plain  # made once, the same after
    assert plotly.io.to_json(specs[0], validate=False) != plotly.io.to_json(specs[1], validate=False)
    other = go.Figure(go.Bar(x=list(labels), y=amounts))
    assert plotly.io.to_json(other) == _json.to_json(other)
    assert plotly.io.to_json(dict(specs[0]), validate=False) == _json.to_json(dict(specs[0]), validate=False)
