"""Exports are safe to open: formula-like cells and headers neutralised, line breaks quoted, and
Excel strings written as strings — checked by reading the bytes back with csv and openpyxl."""

from __future__ import annotations

import csv
import io
import itertools
import random

import openpyxl
import pandas as pd

from insight.views import export

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def odd_strings(n: int, seed: int = 3) -> list[str]:
    """Generated cells: every risky start, line breaks anywhere, quotes, commas, CJK, emoji."""
    rng = random.Random(seed)
    parts = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\r=1+1", "\n@x", '"q"', ",", "王伟", "🙂", "a\rb", "c\r\nd", ""]
    out = [a + b for a, b in itertools.product(parts, repeat=2)]
    out += ["".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) for _ in range(n)]
    out += ['=HYPERLINK("https://evil.example","x")', "=cmd|' /C calc'!A0", "-", "@"]
    return out


def expected(cell: str) -> str:
    return "'" + cell if cell.startswith(DANGEROUS) else cell


def frame_of(values: list[str]) -> pd.DataFrame:
    headers = {'=HYPERLINK("x")': values, "+h": list(reversed(values)), "plain": values, "\rnum": range(len(values))}
    return pd.DataFrame(headers)


def test_csv_round_trip_through_the_csv_reader():
    values = odd_strings(300)
    frame = frame_of(values)
    data = export.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == ['\'=HYPERLINK("x")', "'+h", "plain", "'\rnum"]
    assert len(read) == len(values) + 1  # no cell opened a new row
    body = read[1:]
    assert [r[0] for r in body] == [expected(v) for v in values]
    assert [r[1] for r in body] == [expected(v) for v in reversed(values)]
    assert [r[3] for r in body] == [str(i) for i in range(len(values))]  # numbers stay numbers
    assert not any(cell.startswith(DANGEROUS) for row in read for cell in row)


def test_excel_writes_strings_as_strings():
    values = odd_strings(100)
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes({"rows": frame_of(values)})))
    sheet = book["rows"]

    def text(c):  # OOXML stores a CR as the escape _x000D_, which openpyxl leaves as it is
        return c.value.replace("_x000D_", "\r") if isinstance(c.value, str) else c.value

    header = [text(c) for c in sheet[1]]
    assert header == ['\'=HYPERLINK("x")', "'+h", "plain", "'\rnum"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in sheet[1]) and not any(c.data_type == "f" for c in cells)
    assert not any(c.hyperlink for c in cells)
    column = [text(c) if c.value is not None else "" for c in sheet["A"][1:]]
    assert column == [expected(v) for v in values]
    assert [c.value for c in sheet["D"][1:]] == list(range(len(values)))


def test_excel_figures_stay_numbers_formatted_as_the_app_shows_them():
    """Amounts, counts and rates are numbers a spreadsheet can sum, shown with the format of their
    kind; dates carry no midnight time."""
    frame = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-01-01", "2026-01-02"]),
            "amount": [1.5, 2000.25],
            "customers": [149, 3],
            "churn_rate": [0.1, 0.25],
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes({"orders": frame})))
    rows = list(book["orders"].iter_rows(min_row=2))
    for row, (_, want) in zip(rows, frame.iterrows(), strict=True):
        date, amount, customers, rate = row
        assert date.value.date() == want["order_date"].date() and date.number_format == "yyyy-mm-dd"
        assert amount.value == want["amount"] and amount.number_format == "#,##0.00"
        assert customers.value == want["customers"] and customers.number_format == "#,##0"
        assert rate.value == want["churn_rate"] and rate.number_format == "0.0%"
