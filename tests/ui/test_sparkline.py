"""The KPI cards' sparklines: inline SVG images (no second chart library in the page), whose line
is the card's series scaled to its box, checked against pandas on generated series and on the
Overview of the demo."""

from __future__ import annotations

import random
import re
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest

from insight.ui.widgets import SPARK_HEIGHT, sparkline
from tests.apptest_support import app, clean_caches, texts  # noqa: F401 (clean_caches: autouse)

PAD = 2  # half the stroke, kept free above and below the line


def points(image: str) -> list[tuple[float, float]]:
    """The (x, y) points of the line a sparkline image draws."""
    source = re.search(r'src="data:image/svg\+xml,([^"]+)"', image).group(1)
    coords = re.search(r'points="([^"]+)"', unquote(source)).group(1)
    return [tuple(map(float, pair.split(","))) for pair in coords.split()]


def expected(values: list) -> pd.DataFrame:
    """The line, computed with pandas: the finite values at x from 0 to 100 by position, y from the
    box's bottom (the lowest) to its top (the highest), each PAD inside."""
    s = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    s = s[np.isfinite(s)]
    x = (s.index - s.index[0]) / (s.index[-1] - s.index[0]) * 100
    span = s.max() - s.min()
    y = SPARK_HEIGHT / 2 if span == 0 else SPARK_HEIGHT - PAD - (s - s.min()) / span * (SPARK_HEIGHT - 2 * PAD)
    return pd.DataFrame({"x": x, "y": y})


def series(rng: random.Random) -> list:
    """A card's series as the views give it: a few to two dozen buckets, blanks anywhere (a bucket
    with no data), sometimes flat, negative or huge."""
    n = rng.randint(0, 24)
    scale = rng.choice([1, 1e-3, 1e9, -50])
    flat = rng.random() < 0.15
    out = [scale * (1 if flat else rng.random()) for _ in range(n)]
    for i in range(n):
        if rng.random() < 0.15:
            out[i] = rng.choice([None, float("nan"), float("inf")])
    return out


@pytest.mark.parametrize("seed", range(60))
def test_the_line_is_the_series_scaled_to_the_box(seed):
    values = series(random.Random(seed))
    image = sparkline(values)
    finite = [v for v in values if v is not None and np.isfinite(v)]
    if len(finite) < 2:
        assert image == ""  # nothing to draw a line through
        return
    got = pd.DataFrame(points(image), columns=["x", "y"])
    want = expected(values).reset_index(drop=True)
    assert len(got) == len(want)
    assert np.allclose(got["x"], want["x"], atol=0.01) and np.allclose(got["y"], want["y"], atol=0.01)


def test_overview_cards_draw_their_monthly_series(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"from": "2025-07-01", "to": "2026-06-30"})
    assert "Period: 2025-07-01 – 2026-06-30" in texts(at)
    orders = demo_ws.query("SELECT * FROM orders")
    sel = orders[
        (orders["order_date"] >= "2025-07-01")
        & (orders["order_date"] < "2026-07-01")
        & ~orders["status"].isin(["cancelled", "returned"])
    ]
    monthly = sel.groupby(pd.to_datetime(sel["order_date"]).dt.to_period("M"))
    want = {"revenue": monthly["amount"].sum(), "orders": monthly.size()}
    cards = [c.proto.body for c in at.get("html") if "ciSparkline" in c.proto.body]
    drawn = [pd.DataFrame(points(card), columns=["x", "y"]) for card in cards]
    # a year: one point a month; the first two cards are revenue and orders
    for line, key in zip(drawn[:2], ("revenue", "orders"), strict=True):
        exp = expected(want[key].tolist())
        assert len(line) == 12
        assert np.allclose(line["y"], exp["y"], atol=0.01), key
