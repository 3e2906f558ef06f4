"""Excel sheets, read so that no workbook can take the server down.

The reader (calamine) allocates a sheet's whole used range up front and aborts the process (a
Rust panic, not an exception) when it cannot, so a 5 KB workbook that declares A1:XFD1048576
killed the server. Two guards: the declared range and the unpacked size are checked before
anything is read, and the sheet is read in a child process with a memory and time limit that
writes it out as CSV for the ordinary text reader.

`python -m insight.ingest.excel BOOK OUT.csv [SHEET]` is that child.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from insight import settings
from insight.errors import InsightError
from insight.i18n import msg

_ZIP_BOOKS = {".xlsx", ".xlsm"}


def to_csv(path: Path, name: str, sheet: str | None, out: Path) -> tuple[str, list[str]]:
    """Write `sheet` (default: the first) of the workbook as UTF-8 CSV at `out`; the sheet read
    and all sheet names."""
    names = check(path, name, sheet)
    cmd = [sys.executable, "-m", "insight.ingest.excel", str(path), str(out), *([sheet] if sheet is not None else [])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(settings.PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=settings.EXCEL_CHILD_SECONDS)
    except subprocess.TimeoutExpired:
        raise InsightError(
            msg("import.excel_slow", seconds=settings.EXCEL_CHILD_SECONDS), file=name, hint=msg("import.excel.hint")
        ) from None
    info = _last_json(done.stdout)
    if done.returncode != 0 or info is None:
        raise InsightError(
            msg("import.excel_failed", memory=f"{settings.EXCEL_CHILD_MEMORY_MB:,}"),
            file=name,
            hint=msg("import.excel.hint"),
        )
    if info.get("error") == "sheet":
        raise InsightError(
            msg("import.no_sheet", sheet=sheet),
            file=name,
            hint=msg("import.no_sheet.hint", sheets=", ".join(info["sheets"])),
        )
    if info.get("error") == "cells":
        _too_big(name, info["sheet"], info["range"], info["cells"])
    if info.get("error") == "open":
        raise InsightError(msg("import.excel_corrupt", reason=info["reason"]), file=name, hint=msg("import.excel.hint"))
    return info["sheet"], info["sheets"] or names


def check(path: Path, name: str, sheet: str | None) -> list[str]:
    """Refuse a workbook whose parts unpack too big, or whose sheet declares too large a used range,
    before any reading (xlsx/xlsm; an .xls sheet cannot exceed 65,536 × 256 cells). The sheet names."""
    if path.suffix.lower() not in _ZIP_BOOKS:
        return []
    try:
        with zipfile.ZipFile(path) as book:
            unpacked = sum(i.file_size for i in book.infolist())
            if unpacked > settings.EXCEL_MAX_UNPACKED_MB * 1024 * 1024:
                raise InsightError(
                    msg(
                        "import.excel_unpacked",
                        size=f"{unpacked / 1024 / 1024:,.0f}",
                        limit=f"{settings.EXCEL_MAX_UNPACKED_MB:,}",
                    ),
                    file=name,
                    hint=msg("import.excel.hint"),
                )
            parts = _sheet_parts(book)
            chosen = sheet if sheet is not None else next(iter(parts), None)
            part = parts.get(chosen)
            if part is not None and part in book.namelist():
                with book.open(part) as fh:
                    declared = re.search(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', fh.read(65536))
                if declared and declared.group(3):
                    first_col, first_row, last_col, last_row = declared.groups()
                    rows = int(last_row) - int(first_row) + 1
                    cells = rows * (_column_number(last_col) - _column_number(first_col) + 1)
                    if cells > settings.EXCEL_MAX_CELLS:
                        ref = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
                        _too_big(name, chosen, ref, cells)
            return list(parts)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InsightError(
            msg("import.excel_corrupt", reason=str(exc)), file=name, hint=msg("import.excel.hint")
        ) from None


def sheet_names(path: Path) -> list[str]:
    """The sheets of an .xlsx/.xlsm workbook from its index alone (for a sheet picker when the first
    sheet cannot be read); [] when that cannot be told."""
    try:
        with zipfile.ZipFile(path) as book:
            return list(_sheet_parts(book))
    except (zipfile.BadZipFile, KeyError, OSError):
        return []


def _too_big(name: str, sheet: str, ref: str, cells: int) -> None:
    raise InsightError(
        msg("import.excel_range", sheet=sheet, range=ref, cells=f"{cells:,}", limit=f"{settings.EXCEL_MAX_CELLS:,}"),
        file=name,
        hint=msg("import.excel_range.hint"),
    )


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the zip, in workbook order."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', tag), re.search(r'\bTarget="([^"]*)"', tag)
        if rid and target:
            t = target.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else f"xl/{t}"
    parts = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        sheet_name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\b(?:\w+:)?id="([^"]*)"', tag)
        if sheet_name and rid:
            parts[html.unescape(sheet_name.group(1))] = targets.get(rid.group(1), "")
    return parts


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _last_json(stdout: str) -> dict | None:
    try:
        return json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def cell_text(value) -> str:
    """A cell as the text a CSV export of it would hold."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _child(src: str, out: str, sheet: str | None) -> dict:
    """Runs in the child: read one sheet with calamine and write it as CSV."""
    import resource

    limit = settings.EXCEL_CHILD_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(src)
    except Exception as exc:  # calamine raises its own types for corrupt files
        return {"error": "open", "reason": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
    names = [str(s) for s in book.sheet_names]
    chosen = sheet if sheet is not None else (names[0] if names else None)
    if chosen not in names:
        return {"error": "sheet", "sheets": names}
    data = book.get_sheet_by_name(chosen)
    cells = data.height * data.width
    if cells > settings.EXCEL_MAX_CELLS:
        return {"error": "cells", "sheet": chosen, "range": f"{data.height:,} × {data.width:,}", "cells": cells}
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for row in data.iter_rows():
            writer.writerow([cell_text(v) for v in row])
    return {"sheet": chosen, "sheets": names}


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
