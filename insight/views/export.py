"""Exports for spreadsheet users: CSV (utf-8-sig) and Excel, safe to open.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab, CR or LF
can hide such a start), so text cells *and header names* that start with one get a leading
apostrophe. CSV fields that contain a line break are quoted (rows end in CRLF, so a lone CR is a
line break too and can never start a new row). Excel cells are written as strings, never as
formulas or links.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from insight import formatting

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> object:
    """A text value a spreadsheet will not run; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and column names that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_text).astype(object)
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    text = neutralise(frame).to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return text.encode("utf-8-sig")


#: Excel number formats of the column kinds of insight/formatting.py: the cells stay numbers (to sum and
#: sort), shown as the app shows them.
EXCEL_FORMATS = {
    "money": "#,##0.00",
    "int": "#,##0",
    "num": "#,##0.00",
    "pct": "0.0%",
    "pts": "0.0%",
    "per1000": "#,##0.0",
    "days": "#,##0.0",
    "hours": "#,##0.0",
}


def excel_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook, one sheet per frame: figures formatted by their column's kind, dates
    without a midnight time."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": options},
        date_format="yyyy-mm-dd",
        datetime_format="yyyy-mm-dd hh:mm",
    ) as writer:
        for name, frame in frames.items():
            kinds = {c: formatting.column_kind(str(c), frame[c]) for c in frame.columns}
            dated = {c: frame[c].dt.date for c, k in kinds.items() if k == "date" and hasattr(frame[c], "dt")}
            neutralise(frame.assign(**dated) if dated else frame).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for i, c in enumerate(frame.columns):
                if kinds[c] in EXCEL_FORMATS:
                    sheet.set_column(i, i, 14, writer.book.add_format({"num_format": EXCEL_FORMATS[kinds[c]]}))
    return buffer.getvalue()
