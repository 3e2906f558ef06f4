"""Read a file as it comes out of real tools into a DuckDB temp table of text columns.

The reader decides the encoding, delimiter, header row and sheet (`insight/ingest/sniff.py`); the import
pipeline decides what the columns mean. Every source value arrives as VARCHAR (or NULL when
empty) with control characters removed, with `_row`, the 1-based data-row number a person can
find in the file, and blank rows dropped. Lines that cannot be read (too many fields, bytes
invalid in the file's encoding, over the line-length limit) become rejects in TEMP TABLE
`read_rejects` (row, column, value, reason, detail); the rest load.
"""

from __future__ import annotations

import mmap
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from insight import settings
from insight.errors import InsightError
from insight.i18n import msg
from insight.ingest import excel, sniff

TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
SUPPORTED = sorted(TEXT_EXTENSIONS | EXCEL_EXTENSIONS | {".parquet", ".json", ".jsonl", ".ndjson"})
READ_REJECTS = "read_rejects"
_BASE = "raw_base"
_EMPTY_REJECTS = (
    'SELECT NULL::BIGINT AS "row", NULL::VARCHAR AS "column", NULL::VARCHAR AS value, '
    "NULL::VARCHAR AS reason, NULL::VARCHAR AS detail WHERE false"
)


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
    unreadable_rows: int = 0  # lines rejected by the reader (in read_rejects)
    cleaned: dict[str, int] = field(default_factory=dict)  # column -> cells with control characters removed
    blanks: bool = True  # whether a value may start or end with blanks (False: no value needs trimming)

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": {"\t": "tab", sniff.WHITESPACE: "spaces"}.get(self.delimiter, self.delimiter),
            "header": self.header,
            "skipped_lines": self.skipped_lines,
            "sheet": self.sheet,
            "sheets": self.sheets,
            "blank_rows": self.blank_rows,
            "unreadable_rows": self.unreadable_rows,
            "cleaned_cells": self.cleaned,
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
    """Load `path` into TEMP VIEW `table` (on this cursor) and say how it was read."""
    path = Path(path)
    name = display_name or path.name
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise InsightError(
            msg("import.extension", extension=ext or "—"),
            file=name,
            hint=msg("import.extension.hint", kinds=", ".join(SUPPORTED)),
        )
    size = _check_file(path, name)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {READ_REJECTS} AS {_EMPTY_REJECTS}")
    if ext in EXCEL_EXTENSIONS:
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="insight-sheet-")
        os.close(fd)
        try:
            chosen, sheets = excel.to_csv(path, name, sheet, Path(tmp))
            parsed = _read_text(cur, Path(tmp), name, table, "utf-8", ",")
        finally:
            os.unlink(tmp)
        parsed.kind, parsed.sheet, parsed.sheets = "excel", chosen, sheets
    elif ext == ".parquet":
        parsed = _read_duckdb(cur, path, name, table, "parquet", "read_parquet(?)")
    elif ext in {".json", ".jsonl", ".ndjson"}:
        parsed = _read_duckdb(cur, path, name, table, "json", "read_json_auto(?)")
    else:
        parsed = _read_text(cur, path, name, table, encoding, delimiter, size)
    parsed.blank_rows = _drop_blank_rows(cur, parsed.columns, parsed.blanks)
    _clean_control_characters(cur, parsed)
    cur.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS {_numbered(cur, parsed)}")
    parsed.rows = cur.execute(f"SELECT count(*) FROM {_BASE}").fetchone()[0]
    if not parsed.columns or parsed.rows == 0:
        if parsed.unreadable_rows:
            first = cur.execute(f'SELECT "row", reason, detail FROM {READ_REJECTS} ORDER BY "row" LIMIT 1').fetchone()
            raise InsightError(
                msg("import.nothing_readable", count=parsed.unreadable_rows, reason=msg(first[1], detail=first[2])),
                file=name,
                rows=[first[0]],
                hint=msg("import.nothing_readable.hint"),
            )
        raise InsightError(
            msg("import.no_rows" if parsed.header else "import.no_rows_at_all"),
            file=name,
            hint=msg("import.no_rows.hint"),
        )
    return parsed


def _check_file(path: Path, name: str) -> int:
    """The file's size; a missing, unreadable, empty or oversized file is refused by name."""
    try:
        if path.is_dir():
            raise InsightError(msg("import.is_folder"), file=name, hint=msg("import.not_found.hint"))
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise InsightError(msg("import.not_found"), file=name, hint=msg("import.not_found.hint")) from None
    except PermissionError:
        raise InsightError(msg("import.unreadable_file"), file=name, hint=msg("import.unreadable_file.hint")) from None
    except OSError as exc:
        raise InsightError(
            msg("import.os_error", reason=exc.strerror or str(exc)), file=name, hint=msg("import.not_found.hint")
        ) from None
    if size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise InsightError(
            msg("import.too_big", size=f"{size / 1024 / 1024:,.0f}", limit=settings.MAX_UPLOAD_MB),
            file=name,
            hint=msg("import.too_big.hint"),
        )
    if size == 0:
        raise InsightError(msg("import.empty"), file=name, hint=msg("import.empty.hint"))
    return size


# --- text files -----------------------------------------------------------------------------


def _read_text(cur, path: Path, name: str, table: str, encoding: str, delimiter: str, size: int = 0) -> Parsed:
    with path.open("rb") as fh:
        head = fh.read(settings.SNIFF_BYTES)
    size = size or path.stat().st_size
    lay = sniff.layout(head, name, encoding, delimiter, whole=len(head) >= size)
    source, tmp, delim, skip = str(path), None, lay.delimiter, lay.skip
    if lay.encoding != "utf-8" or delim == sniff.WHITESPACE:
        # DuckDB reads UTF-8 at full speed; everything else is decoded here once. Bytes that do not
        # decode are carried through unchanged (surrogateescape), so DuckDB rejects just their rows.
        text = sniff.decode(path.read_bytes(), lay.encoding, name, errors="surrogateescape")
        if delim == sniff.WHITESPACE:
            lines = text.splitlines()
            skip, delim = sum(1 for line in lines[: lay.skip] if line.strip()), "\t"
            text = "\n".join("\t".join(line.split()) for line in lines if line.strip())
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="insight-")
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        source = tmp
    if not lay.columns:
        raise InsightError(msg("import.no_rows_at_all"), file=name, hint=msg("import.no_rows.hint"))
    try:
        _duckdb_csv(cur, source, lay, delim, skip, name)
        control, blanks = _scan_bytes(source, delim)
    finally:
        if tmp:
            os.unlink(tmp)
    return Parsed(
        file=name,
        kind="csv",
        columns=lay.columns,
        rows=0,
        table=table,
        encoding=lay.encoding,
        delimiter=lay.delimiter,
        header=lay.header,
        skipped_lines=lay.skip,
        unreadable_rows=cur.execute(f"SELECT count(*) FROM {READ_REJECTS}").fetchone()[0],
        cleaned={"*": 1} if control else {},
        blanks=blanks,
    )


def _duckdb_csv(cur, source: str, lay: sniff.Layout, delim: str, skip: int, name: str) -> None:
    """Read with the layout already decided (no sniffing), every column as text, bad lines kept
    aside in DuckDB's reject tables."""
    columns = {c: "VARCHAR" for c in lay.columns}
    base = (
        f"CREATE OR REPLACE TEMP TABLE {_BASE} AS SELECT * FROM read_csv(?, delim=?, quote='\"', escape='\"', "
        "header=?, skip=?, auto_detect=false, columns=?, max_line_size=?, store_rejects=true, "
        "rejects_table='csv_errors', rejects_scan='csv_scans'{extra})"
    )
    params = [source, delim, lay.header, skip, columns, settings.MAX_LINE_BYTES]
    cur.execute("DROP TABLE IF EXISTS csv_errors; DROP TABLE IF EXISTS csv_scans")
    try:
        cur.execute(base.format(extra=""), params)
        if cur.execute("SELECT count(*) FROM csv_errors WHERE error_type = 'MISSING COLUMNS'").fetchone()[0]:
            # Short rows (trailing empty cells left out) are padded; with quoted line breaks that
            # needs the single-threaded reader.
            cur.execute("DROP TABLE IF EXISTS csv_errors; DROP TABLE IF EXISTS csv_scans")
            cur.execute(base.format(extra=", null_padding=true, parallel=false"), params)
    except duckdb.Error as exc:
        raise InsightError(
            msg("import.unreadable", reason=_first_line(exc)), file=name, hint=msg("import.unreadable.hint")
        ) from None
    offset = skip + (1 if lay.header else 0)
    errors = cur.execute(
        "SELECT line, column_idx, error_type, csv_line, error_message FROM csv_errors ORDER BY line"
    ).fetchall()
    rejects, seen = [], set()
    for line, column_idx, kind, text, message in errors:
        row = max(1, int(line) - offset)
        if row in seen:  # one reason per line (a line with two surplus fields reports twice)
            continue
        seen.add(row)
        if kind == "UNQUOTED VALUE":
            raise InsightError(
                msg("import.open_quote", line=line, lines=f"{(text or '').count(chr(10)):,}"),
                file=name,
                rows=[row],
                hint=msg("import.open_quote.hint"),
            )
        column = lay.columns[column_idx - 1] if column_idx and 0 < column_idx <= len(lay.columns) else None
        reason, detail = _reject_reason(kind, message, lay)
        rejects.append((row, column, (text or "")[:200], reason, detail))
    if rejects:
        cur.executemany(f"INSERT INTO {READ_REJECTS} VALUES (?, ?, ?, ?, ?)", rejects)


def _reject_reason(kind: str, message: str, lay: sniff.Layout) -> tuple[str, str]:
    if kind == "TOO MANY COLUMNS":
        found = re.search(r"Found:\s*(\d+)", message or "")
        return "reject.too_many_fields", f"{found.group(1) if found else '?'} / {len(lay.columns)}"
    if kind in ("INVALID ENCODING", "INVALID UNICODE"):
        return "reject.encoding", lay.encoding
    if kind == "LINE SIZE OVER MAXIMUM":
        size = re.search(r"Actual Size:\s*(\d+)", message or "")
        return "reject.line_too_long", f"{int(size.group(1)):,}" if size else "?"
    return "reject.unreadable", (message or kind).splitlines()[0][:200]


#: Bytes scanned at a time by `_scan_bytes` (a piece that stays in the cache: 4 MB ones take 3x as long).
_SCAN_CHUNK = 1 << 18


def _scan_bytes(path: str, delimiter: str) -> tuple[bool, bool]:
    """(control, blanks) of a text file as DuckDB reads it: whether it holds control characters other
    than tab and line ends (NUL included), and whether any value may start or end with a blank (space,
    tab, line end, no-break or ideographic space). `blanks` errs towards True: False means no value
    needs trimming, so the typing pass skips the trims (most of its time)."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = np.frombuffer(mapped, np.uint8)
        try:
            delim = ord(delimiter) if len(delimiter) == 1 else None
            # (DuckDB drops a byte-order mark: a blank after it starts a value.)
            control, blanks = False, delim is None or bytes(data[:4]) in (b"\xef\xbb\xbf ", b"\xef\xbb\xbf\t")
            size = len(data)
            for start in range(0, size, _SCAN_CHUNK):
                # Two bytes either side (the file's ends read as line ends): a byte's neighbours.
                lo, hi = max(0, start - 2), min(size, start + _SCAN_CHUNK + 2)
                c, b = _chunk_flags(data, lo, hi, size, None if blanks else delim)
                control, blanks = control or c, blanks or b
                if control:
                    break  # cleaning control characters may leave blanks at the ends of a value
            return control, blanks or control
        finally:
            del data


def _chunk_flags(data, lo: int, hi: int, size: int, delim: int | None) -> tuple[bool, bool]:
    """(control, blanks) of `data[lo:hi]`; blanks are not looked for when `delim` is None. (One
    comparison per test over the piece: look-up tables and pairs of bytes cost several times more.)"""
    newline = np.array([10], np.uint8)
    w = np.concatenate([newline[: int(lo == 0)], data[lo:hi], newline[: int(hi == size)]])
    low, lines = np.count_nonzero(w < 32), np.count_nonzero(w == 10)
    tabs = returns = 0
    if low > lines:  # tabs and carriage returns are fine too (a look for TSV and CRLF files)
        tabs, returns = np.count_nonzero(w == 9), np.count_nonzero(w == 13)
    control = bool(low > lines + tabs + returns)
    if delim is None:
        return control, False
    # A value's first or last character stands next to a delimiter, a line end or a quote.
    edge = (w == delim) | (w == 10) | (w == 34)
    blank = w[1:-1] == 32
    if tabs and delim != 9:
        blank |= w[1:-1] == 9
    if returns:
        edge |= w == 13
    if np.any(blank & (edge[:-2] | edge[2:])):
        return control, True
    quotes = np.flatnonzero(w[1:-1] == 34) + 1  # inside quotes a value may start or end with a line end
    near = (w[quotes - 1] == 10) | (w[quotes + 1] == 10) | (w[quotes - 1] == 13) | (w[quotes + 1] == 13)
    if delim == 9:
        near |= (w[quotes - 1] == 9) | (w[quotes + 1] == 9)
    if near.any():
        return control, True
    if returns and np.any((w[:-1] == 13) & (w[1:] != 10)):  # a CR that does not end a line
        return control, True
    if w.max() < 0x80:
        return control, False
    nbsp = np.any((w[:-1] == 0xC2) & (w[1:] == 0xA0))  # U+00A0
    ideographic = np.flatnonzero(w[:-2] == 0xE3)  # U+3000: E3 80 80
    return control, bool(nbsp or ((w[ideographic + 1] == 0x80) & (w[ideographic + 2] == 0x80)).any())


# --- other formats --------------------------------------------------------------------------


def _read_duckdb(cur, path: Path, name: str, table: str, kind: str, reader: str) -> Parsed:
    try:
        described = cur.execute(f"DESCRIBE SELECT * FROM {reader}", [str(path)]).fetchall()
        if len(described) > settings.MAX_COLUMNS:
            raise InsightError(
                msg("import.too_many_columns", count=f"{len(described):,}", limit=f"{settings.MAX_COLUMNS:,}"),
                file=name,
                hint=msg("import.too_many_columns.hint"),
            )
        names = sniff.column_names([c[0] for c in described])
        casts = ", ".join(f"CAST({_q(c[0])} AS VARCHAR) AS {_q(n)}" for c, n in zip(described, names, strict=True))
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {_BASE} AS SELECT {casts} FROM {reader}", [str(path)])
    except duckdb.Error as exc:
        raise InsightError(
            msg("import.unreadable_kind", kind=kind, reason=_first_line(exc)),
            file=name,
            hint=msg("import.unreadable_kind.hint", kind=kind),
        ) from None
    return Parsed(file=name, kind=kind, columns=names, rows=0, table=table, cleaned={"*": 1})


# --- helpers --------------------------------------------------------------------------------


def _numbered(cur, parsed: Parsed) -> str:
    """The view of the rows with `_row`: the row's position in the file, counting the rows the
    reader rejected (their numbers come from DuckDB's line count)."""
    if not parsed.unreadable_rows:
        return f"SELECT CAST(rowid + 1 AS BIGINT) AS _row, * FROM {_BASE}"
    # Accepted row k (0-based) follows every rejected row j (0-based, in order) with row_j - j - 1 <= k.
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE read_gaps AS SELECT k, max(j) AS before FROM ("
        '  SELECT "row" - row_number() OVER (ORDER BY "row") AS k, row_number() OVER (ORDER BY "row") AS j '
        f'  FROM (SELECT DISTINCT "row" FROM {READ_REJECTS})) GROUP BY k'
    )
    return (
        f"SELECT CAST(b.rowid + 1 + coalesce(g.before, 0) AS BIGINT) AS _row, b.* FROM {_BASE} b "
        "ASOF LEFT JOIN read_gaps g ON b.rowid >= g.k"
    )


def _drop_blank_rows(cur, columns: list[str], blanks: bool = True) -> int:
    """Delete the rows whose every cell is empty or spaces (`blanks=False`: no cell has spaces at its ends)."""
    if not columns:
        return 0
    blank = " AND ".join(f"({_q(c)} IS NULL OR {'trim(' + _q(c) + ')' if blanks else _q(c)} = '')" for c in columns)
    n = cur.execute(f"SELECT count(*) FROM {_BASE} WHERE {blank}").fetchone()[0]
    if n:
        cur.execute(f"DELETE FROM {_BASE} WHERE {blank}")
    return n


def _clean_control_characters(cur, parsed: Parsed) -> None:
    """Remove control characters (NUL included) from every cell that has them; count the cells."""
    if not parsed.cleaned:
        return
    counts = ", ".join(f"count(*) FILTER (WHERE regexp_matches({_q(c)}, ?))" for c in parsed.columns)
    found = cur.execute(f"SELECT {counts} FROM {_BASE}", [sniff.CONTROL_CHARS] * len(parsed.columns)).fetchone()
    parsed.cleaned = {c: n for c, n in zip(parsed.columns, found, strict=True) if n}
    for c in parsed.cleaned:
        cur.execute(f"UPDATE {_BASE} SET {_q(c)} = regexp_replace({_q(c)}, ?, '', 'g')", [sniff.CONTROL_CHARS])


def _q(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
