"""Read a file as it comes out of real tools into a DuckDB temp table of text columns.

The reader decides the encoding, delimiter, header row and sheet; the import pipeline decides
what the columns mean. Every source value arrives as VARCHAR (or NULL when empty), with `_row`,
the 1-based data-row number a person can find in the file, and blank rows dropped.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import duckdb
import pandas as pd

from insight import settings
from insight.errors import InsightError

TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
SUPPORTED = sorted(TEXT_EXTENSIONS | EXCEL_EXTENSIONS | {".parquet", ".json", ".jsonl", ".ndjson"})

DELIMITERS = [",", ";", "\t", "|"]
WHITESPACE = "whitespace"  # runs of spaces

_NUMBER = re.compile(r"^[-+]?[¥$€£]?\s*\d[\d,]*(\.\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[-/.年]\d{1,2}[-/.月]\d{1,4}")


@dataclass
class Parsed:
    """What the reader decided, for the preview and the import report."""

    file: str
    kind: str
    columns: list[str]
    rows: int
    table: str
    encoding: str | None = None
    delimiter: str | None = None
    header: bool = True
    skipped_lines: int = 0
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    blank_rows: int = 0

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": {"\t": "tab", WHITESPACE: "spaces"}.get(self.delimiter, self.delimiter),
            "header": self.header,
            "skipped_lines": self.skipped_lines,
            "sheet": self.sheet,
            "sheets": self.sheets,
            "blank_rows": self.blank_rows,
        }


def read(
    cur: duckdb.DuckDBPyConnection,
    path: str | os.PathLike,
    *,
    table: str = "raw_import",
    display_name: str | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
    delimiter: str = "auto",
) -> Parsed:
    """Load `path` into TEMP TABLE `table` (on this cursor) and say how it was read."""
    path = Path(path)
    name = display_name or path.name
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise InsightError(
            f"files of type {ext or '(no extension)'!r} cannot be imported",
            file=name,
            hint=f"save it as one of {', '.join(SUPPORTED)}",
        )
    size = path.stat().st_size
    if size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise InsightError(
            f"the file is {size / 1024 / 1024:.0f} MB, over the {settings.MAX_UPLOAD_MB} MB limit",
            file=name,
            hint="split it into smaller files and import them in append mode",
        )
    if size == 0:
        raise InsightError("the file is empty", file=name, hint="export it again from the source tool")
    if ext in EXCEL_EXTENSIONS:
        parsed = _read_excel(cur, path, name, table, sheet)
    elif ext == ".parquet":
        parsed = _read_duckdb(cur, path, name, table, "parquet", "read_parquet(?)")
    elif ext in {".json", ".jsonl", ".ndjson"}:
        parsed = _read_duckdb(cur, path, name, table, "json", "read_json_auto(?)")
    else:
        parsed = _read_text(cur, path, name, table, encoding, delimiter)
    parsed.blank_rows = _drop_blank_rows(cur, table, parsed.columns)
    parsed.rows = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if not parsed.columns or parsed.rows == 0:
        raise InsightError(
            "the file has a header but no data rows" if parsed.header else "the file has no data rows",
            file=name,
            hint="check that you exported the data, not only the column titles",
        )
    return parsed


# --- text files -----------------------------------------------------------------------------


def _read_text(cur, path: Path, name: str, table: str, encoding: str, delimiter: str) -> Parsed:
    head = path.read_bytes()[: settings.SNIFF_BYTES]
    enc = _detect_encoding(head, name) if encoding == "auto" else encoding
    sample = _decode_sample(head, enc, name)
    delim = delimiter if delimiter != "auto" else _detect_delimiter(sample)
    rows, starts = _parse_sample(sample, delim)
    first, has_header = _find_header(rows)
    skip = starts[first] if rows else 0

    source = str(path)
    tmp = None
    if enc != "utf-8" or delim == WHITESPACE:
        # DuckDB reads UTF-8 at full speed; everything else is decoded here once.
        text = _decode_all(path.read_bytes(), enc, name)
        if delim == WHITESPACE:
            text = "\n".join("\t".join(line.split()) for line in text.splitlines() if line.strip())
            skip = first  # blank lines are gone from the rewritten text
            delim = "\t"
            shown_delim = WHITESPACE
        else:
            shown_delim = delim
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="insight-")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        source = tmp
    else:
        shown_delim = delim
    try:
        _duckdb_csv(cur, source, table, delim, skip, has_header, name)
    finally:
        if tmp:
            os.unlink(tmp)
    columns = [c for c in _columns(cur, table) if c != "_row"]
    return Parsed(
        file=name,
        kind="csv",
        columns=columns,
        rows=0,
        table=table,
        encoding=enc,
        delimiter=shown_delim,
        header=has_header,
        skipped_lines=skip,
    )


def _duckdb_csv(cur, source: str, table: str, delim: str, skip: int, header: bool, name: str):
    base = (
        "SELECT * FROM read_csv(?, delim=?, quote='\"', escape='\"', header=?, skip=?, "
        "all_varchar=true, auto_detect=true{extra})"
    )
    params = [source, delim, header, skip]
    fast = base.format(extra="")
    # Blank lines, short rows and quoted newlines together need the tolerant, single-threaded reader.
    tolerant = base.format(extra=", null_padding=true, parallel=false, strict_mode=false")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    try:
        cur.execute(f"CREATE TEMP TABLE {table} AS {fast}", params)
    except duckdb.Error:
        try:
            cur.execute(f"CREATE TEMP TABLE {table} AS {tolerant}", params)
        except duckdb.Error as exc:
            raise InsightError(
                f"the file could not be read as a table: {_first_line(exc)}",
                file=name,
                hint="check that it is a delimited text export (CSV/TSV) and not a binary file",
            ) from None
    _number_rows(cur, table)


def _detect_encoding(head: bytes, name: str) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if head.startswith(b"PK\x03\x04"):
        raise InsightError(
            "this is a zip or Excel workbook, not a text file",
            file=name,
            hint="rename it to .xlsx, or export it from Excel as CSV",
        )
    if b"\x00" in head:
        # UTF-16 without a BOM has a NUL in every other byte; anything else with NULs is binary.
        if head[1::2].count(0) > len(head) * 0.4 or head[0::2].count(0) > len(head) * 0.4:
            return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        raise InsightError(
            "the file is binary, not text",
            file=name,
            hint="upload the CSV, Excel, Parquet or JSON export itself",
        )
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sample boundary
            return "utf-8"
    if _mostly_chinese(head):
        return "gb18030"
    best = charset_normalizer.from_bytes(head).best()
    if best is None:
        raise InsightError(
            "the text encoding could not be recognised",
            file=name,
            hint="save the file as UTF-8, or choose the encoding by hand",
        )
    enc = best.encoding.lower()
    if enc in {"gb2312", "gbk", "gb18030", "hz"}:
        return "gb18030"
    cyrillic = {"cp1251", "cp866", "cp855", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic"}
    if enc.startswith(("cp4", "cp7", "cp8", "cp125", "iso8859", "latin", "mac_", "windows")) and enc not in cyrillic:
        # Small samples of Western text are easily taken for Baltic or Turkish code pages;
        # Windows-1252 (a superset of Latin-1's printable range) is what Western tools write.
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return enc


def _mostly_chinese(head: bytes) -> bool:
    """GB18030 that decodes cleanly into mostly CJK characters (GBK exports from Chinese tools)."""
    try:
        text = head.decode("gb18030")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("gb18030")
    wide = [c for c in text if ord(c) > 127]
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return bool(wide) and cjk / len(wide) > 0.8


def _decode_sample(head: bytes, enc: str, name: str) -> str:
    text = _decode_all(head, enc, name, errors="ignore")
    text = text.lstrip("\ufeff")
    # Drop the last (possibly cut) line of the sample.
    if len(head) >= settings.SNIFF_BYTES and "\n" in text:
        text = text[: text.rfind("\n")]
    return text


def _decode_all(data: bytes, enc: str, name: str, errors: str = "strict") -> str:
    codec = "utf-8-sig" if enc == "utf-8" else enc
    try:
        return data.decode(codec, errors=errors)
    except LookupError:
        raise InsightError(f"unknown encoding {enc!r}", file=name, hint="use auto") from None
    except UnicodeDecodeError as exc:
        raise InsightError(
            f"the file is not valid {enc} at byte {exc.start}",
            file=name,
            hint="choose another encoding, or let it be detected (auto)",
        ) from None


def _parse_sample(sample: str, delim: str) -> tuple[list[list[str]], list[int]]:
    """Rows of the sample and the physical line each starts on; blank lines are skipped."""
    if delim in ("auto", WHITESPACE):
        rows, starts = [], []
        for i, line in enumerate(sample.splitlines()):
            if line.strip():
                rows.append(line.split() if delim == WHITESPACE else [line])
                starts.append(i)
        return rows, starts
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delim, quotechar='"')
    rows, starts, line = [], [], 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                starts.append(line)
            line = reader.line_num
    except csv.Error:
        pass
    return rows, starts


def _detect_delimiter(sample: str) -> str:
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS + [WHITESPACE]:
        rows, _ = _parse_sample(sample, delim)
        counts = [len(r) for r in rows[-200:]]
        if not counts:
            continue
        mode, n = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        consistency = n / len(counts)
        if delim == WHITESPACE:
            consistency -= 0.01  # a real delimiter wins a tie
        score = (round(consistency, 2), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _looks_typed(value: str) -> bool:
    v = value.strip()
    return bool(v) and bool(_NUMBER.match(v) or _DATE.match(v))


def _find_header(rows: list[list[str]]) -> tuple[int, bool]:
    """Index of the first table row (skipping junk lines above it) and whether it is a header."""
    if not rows:
        return 0, True
    body = rows[len(rows) // 5 :] or rows
    width = Counter(len(r) for r in body).most_common(1)[0][0]
    filled = Counter(sum(1 for c in r if c.strip()) for r in body).most_common(1)[0][0]
    first = 0
    for i, row in enumerate(rows):
        nonempty = sum(1 for c in row if c.strip())
        if len(row) >= width and nonempty >= max(1, min(filled, width) * 0.6):
            first = i
            break
    candidate = rows[first]
    following = rows[first + 1 : first + 50]
    if any(_looks_typed(c) for c in candidate):
        return first, False
    typed_below = any(_looks_typed(c) for r in following for c in r)
    repeated = any(r == candidate for r in following)
    return first, typed_below or not repeated


# --- other formats --------------------------------------------------------------------------


def _read_excel(cur, path: Path, name: str, table: str, sheet: str | None) -> Parsed:
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise InsightError(
            f"the workbook could not be opened ({_first_line(exc)})",
            file=name,
            hint="open it in Excel and save it again as .xlsx",
        ) from None
    sheets = [str(s) for s in book.sheet_names]
    chosen = sheet if sheet is not None else sheets[0]
    if chosen not in sheets:
        raise InsightError(
            f"the workbook has no sheet {chosen!r}",
            file=name,
            hint=f"choose one of: {', '.join(sheets)}",
        )
    frame = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    cells = frame.map(_cell_text)
    rows = [[c or "" for c in r] for r in cells.head(200).itertuples(index=False)]
    first, has_header = _find_header([r for r in rows if any(c.strip() for c in r)] or [[]])
    nonblank = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    start = nonblank[first] if nonblank else 0
    if has_header:
        header = [c or f"column{i}" for i, c in enumerate(cells.iloc[start].tolist())]
        data = cells.iloc[start + 1 :].copy()
    else:
        header = [f"column{i}" for i in range(cells.shape[1])]
        data = cells.iloc[start:].copy()
    data.columns = _dedupe(header)
    _register(cur, table, data)
    return Parsed(
        file=name,
        kind="excel",
        columns=list(data.columns),
        rows=0,
        table=table,
        header=has_header,
        skipped_lines=start,
        sheet=chosen,
        sheets=sheets,
    )


def _read_duckdb(cur, path: Path, name: str, table: str, kind: str, reader: str) -> Parsed:
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    try:
        rel = cur.execute(f"DESCRIBE SELECT * FROM {reader}", [str(path)]).fetchall()
        casts = ", ".join(f"CAST({_q(c[0])} AS VARCHAR) AS {_q(c[0])}" for c in rel)
        cur.execute(f"CREATE TEMP TABLE {table} AS SELECT {casts} FROM {reader}", [str(path)])
    except duckdb.Error as exc:
        raise InsightError(
            f"the file could not be read as {kind}: {_first_line(exc)}",
            file=name,
            hint=f"check that it is a valid {kind} file",
        ) from None
    _number_rows(cur, table)
    columns = [c for c in _columns(cur, table) if c != "_row"]
    return Parsed(file=name, kind=kind, columns=columns, rows=0, table=table)


# --- helpers --------------------------------------------------------------------------------


def _cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if text.strip() else None


def _register(cur, table: str, frame: pd.DataFrame) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    frame = frame.astype(object).where(frame.notna(), None)
    arrow_frame = frame.astype("string")
    cur.register("_insight_frame", arrow_frame)
    try:
        cur.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM _insight_frame")
    finally:
        cur.unregister("_insight_frame")
    _number_rows(cur, table)


def _number_rows(cur, table: str) -> None:
    """Add `_row`: 1-based position of the data row in the file (insertion order is file order)."""
    cur.execute(f"ALTER TABLE {table} RENAME TO {table}_unnumbered")
    cur.execute(f"CREATE TEMP TABLE {table} AS SELECT CAST(rowid + 1 AS BIGINT) AS _row, * FROM {table}_unnumbered")
    cur.execute(f"DROP TABLE {table}_unnumbered")


def _drop_blank_rows(cur, table: str, columns: list[str]) -> int:
    if not columns:
        return 0
    blank = " AND ".join(f"coalesce(trim({_q(c)}), '') = ''" for c in columns)
    n = cur.execute(f"SELECT count(*) FROM {table} WHERE {blank}").fetchone()[0]
    if n:
        cur.execute(f"DELETE FROM {table} WHERE {blank}")
    return n


def _columns(cur, table: str) -> list[str]:
    return [r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall()]


def _dedupe(names: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for n in names:
        n = str(n).strip() or "column"
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


def _q(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
