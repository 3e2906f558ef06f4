"""Tables are formatted once per content and shared (insight/ui/widgets.py `shown`): every frame,
however it differs from another (one cell, a type, the index, a column's name, the language),
gets its own formatting, the same as `formatting.table` writes for it; the same content is
formatted once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import cache, formatting
from insight.ui import widgets


@pytest.fixture(autouse=True)
def clean():
    cache.clear()
    yield
    cache.clear()


def base_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": rng.choice(["App", "Store", "微信", None], n),
            "revenue": rng.uniform(0, 5e6, n).round(2),
            "orders": rng.integers(0, 10_000, n),
            "on_time_rate": rng.uniform(0, 1, n),
            "first_order": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        }
    )


def variants(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Frames that differ from `frame` in one way each."""
    out = []
    one = frame.copy()
    one.loc[0, "revenue"] += 1
    out.append(one)
    out.append(frame.astype({"orders": "float64"}))  # same numbers, another type
    out.append(frame.set_axis(range(1, len(frame) + 1)))  # another index
    out.append(frame.rename(columns={"orders": "tickets"}))  # another column name
    out.append(frame.iloc[::-1])  # the same rows in another order
    out.append(frame.assign(channel=frame["channel"].fillna("None")))  # a missing value against the text "None"
    out.append(frame.iloc[:-1])
    return out


def same(a: formatting.Shown, b: formatting.Shown) -> bool:
    return a.frame.equals(b.frame) and a.titles == b.titles and a.figures == b.figures


@pytest.mark.parametrize("seed", range(5))
def test_every_different_table_gets_its_own_formatting(seed):
    rng = np.random.default_rng(seed)
    frame = base_frame(rng, int(rng.integers(2, 40)))
    for lang in ("en", "zh"):
        for table in [frame, *variants(frame)]:
            assert same(widgets.shown(table, lang), formatting.table(table, lang, "col"))


def test_the_same_content_is_formatted_once_and_unhashable_cells_still_show():
    frame = base_frame(np.random.default_rng(9), 12)
    first = widgets.shown(frame, "en")
    again = widgets.shown(frame.copy(), "en")  # another object, the same content
    assert again is first
    assert widgets._shown.cache_info().misses == 1
    listed = pd.DataFrame({"value": ["a", "b"], "tags": [["x"], ["y", "z"]]})
    assert same(widgets.shown(listed, "en"), formatting.table(listed, "en", "col"))
