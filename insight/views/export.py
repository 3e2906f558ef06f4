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


def excel_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        for name, frame in frames.items():
            neutralise(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
