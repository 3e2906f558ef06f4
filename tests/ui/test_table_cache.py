"""Tables are formatted and converted to Arrow once per content and shared (insight/ui/widgets.py
`shown`): every frame, however it differs from another (one cell, a type, the index, a column's
name, the language), gets its own formatting, the same as `formatting.table` writes for it, and its
own grid, the same bytes `st.dataframe` sends for the formatted cells; the same content is made
once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

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
            "customer_id": rng.choice(["C001", "C<2>&", "客户9", None], n),
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


def sent(grid) -> bytes:
    """The bytes `st.dataframe` sends for `grid` (an Arrow table or a pandas frame)."""
    if isinstance(grid, pd.DataFrame):
        return dataframe_util.convert_pandas_df_to_arrow_bytes(grid)
    return dataframe_util.convert_arrow_table_to_arrow_bytes(grid)


def expected_grid(formatted: formatting.Shown) -> bytes:
    """The formatted cells with customer IDs as links to their page, as `st.dataframe` sends them."""
    cells = formatted.frame.copy()
    if "customer_id" in cells:
        shown_ids = cells["customer_id"]
        cells["customer_id"] = ["customer?id=" + v if v != formatting.MISSING else None for v in shown_ids]
    return dataframe_util.convert_pandas_df_to_arrow_bytes(cells)


@pytest.mark.parametrize("seed", range(5))
def test_every_different_table_gets_its_own_formatting(seed):
    rng = np.random.default_rng(seed)
    frame = base_frame(rng, int(rng.integers(2, 40)))
    for lang in ("en", "zh"):
        for table in [frame, *variants(frame)]:
            expected = formatting.table(table, lang, "col")
            formatted, grid = widgets.shown(table, lang)
            assert same(formatted, expected)
            assert sent(grid) == expected_grid(expected)


def test_the_same_content_is_formatted_once_and_unhashable_cells_still_show():
    frame = base_frame(np.random.default_rng(9), 12)
    first = widgets.shown(frame, "en")
    again = widgets.shown(frame.copy(), "en")  # another object, the same content
    assert again[0] is first[0] and again[1] is first[1]
    assert widgets._shown.cache_info().misses == widgets._grid.cache_info().misses == 1
    listed = pd.DataFrame({"value": ["a", "b"], "tags": [["x"], ["y", "z"]], "customer_id": ["C1", None]})
    formatted, grid = widgets.shown(listed, "en")
    assert same(formatted, formatting.table(listed, "en", "col"))
    assert sent(grid) == expected_grid(formatted)
