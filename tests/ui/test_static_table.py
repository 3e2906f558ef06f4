"""A short table drawn as one HTML table (insight/ui/widgets.py `html_table`, the pages' static
tables): read back by an HTML parser, it holds exactly the titles and cells `formatting.table`
writes, figures right-aligned, and no text from the data becomes markup, on generated frames
with hostile text in their values and column names."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from insight import formatting
from insight.ui import widgets

HOSTILE = ["<script>alert(1)</script>", "a & b", '"quoted"', "<b>bold</b>", "华东 <img src=x onerror=1>", "x'y", ""]


class Table(HTMLParser):
    """The tags met, and the rows of text cells with each cell's class."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: list[list[tuple[str, str | None]]] = []
        self.cell: list[str] | None = None
        self.cls: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell, self.cls = [], dict(attrs).get("class")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(("".join(self.cell), self.cls))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def frames(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    names = ["channel", "revenue", "orders", str(rng.choice(HOSTILE[:5]))]
    return pd.DataFrame(
        {
            names[0]: rng.choice(HOSTILE + ["App", None], n),
            names[1]: rng.uniform(-5e6, 5e6, n).round(2),
            names[2]: rng.integers(0, 10_000, n),
            names[3]: rng.choice(HOSTILE, n),
        }
    )


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_static_table_holds_the_formatted_cells_and_no_markup(seed, lang):
    frame = frames(seed)
    formatted = formatting.table(frame, lang, "col")
    parsed = Table()
    parsed.feed(widgets.html_table(formatted))
    assert set(parsed.tags) <= {"div", "table", "thead", "tbody", "tr", "th", "td"}
    head, *body = parsed.rows
    columns = list(formatted.frame.columns)
    assert [text for text, _ in head] == [formatted.titles[c] for c in columns]
    assert [[text for text, _ in row] for row in body] == formatted.frame.astype(str).values.tolist()
    right = [c in formatted.figures for c in columns]
    assert all([cls == "num" for _, cls in row] == right for row in parsed.rows)
    assert {"revenue", "orders"} <= formatted.figures and "channel" not in formatted.figures
