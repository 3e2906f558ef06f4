"""View rows: server-side pages and sorting, exports neutralised for spreadsheets."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from insight.errors import InsightError
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views import export, rows


def test_pages_are_sorted_on_the_server_and_cover_every_row(demo_ws):
    scope = Scope.open(demo_ws, Filters.from_query("region=North&channel=App")[0])
    orders = demo_ws.query("SELECT * FROM orders")
    start, end = scope.period
    expected = orders[
        (orders["region"] == "North")
        & (orders["channel"] == "App")
        & (orders["order_date"] >= pd.Timestamp(start))
        & (orders["order_date"] < pd.Timestamp(end) + pd.Timedelta(days=1))
    ]
    first = rows.page(scope, "orders", number=1, size=25, sort="amount", descending=True)
    assert first.total == len(expected) and first.pages == -(-len(expected) // 25)
    assert first.rows["amount"].tolist() == sorted(expected["amount"], reverse=True)[:25]
    assert not any(c.startswith("_") for c in first.rows.columns)  # the fact's helpers stay hidden
    last = rows.page(scope, "orders", number=10_000, size=25, sort="amount", descending=True)
    assert last.page == first.pages  # past the end shows the last page
    everything, truncated = rows.export(scope, "orders", sort="amount", descending=True)
    assert not truncated
    assert len(everything) == len(expected) and set(everything["order_id"]) == set(expected["order_id"])


def test_sorting_only_by_a_known_column(demo_ws):
    scope = Scope.open(demo_ws, Filters())
    with pytest.raises(InsightError, match="cannot sort by"):
        rows.page(scope, "orders", sort="amount; DROP TABLE orders")
    assert demo_ws.scalar("SELECT count(*) FROM orders") > 0


def test_csv_export_is_utf8_sig_and_neutralises_formulas():
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "@cmd", "-2+3", "王伟", "ok"], "amount": [-5.0, 1, 2, 3, 4, 5]}
    )
    data = export.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"].tolist() == ['\'=HYPERLINK("x")', "'+1", "'@cmd", "'-2+3", "王伟", "ok"]
    assert back["amount"].tolist() == [-5.0, 1, 2, 3, 4, 5]  # numbers stay numbers
    book = pd.read_excel(io.BytesIO(export.excel_bytes({"rows": frame})), sheet_name="rows", engine="calamine")
    assert book["name"].iloc[0] == '\'=HYPERLINK("x")'
