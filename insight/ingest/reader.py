"""Read a file as it comes out of real tools into a DuckDB temp table of text columns.

The reader decides the encoding, delimiter, header row and sheet (`insight/ingest/sniff.py`); the import
pipeline decides what the columns mean. Every source value arrives as VARCHAR (or NULL when
empty) with control characters removed, with `_row`, the 1-based data-row number a person can
find in the file, and blank rows dropped. Lines that cannot be read (too many fields, bytes
invalid in the file's encoding, over the line-length limit) become rejects in TEMP TABLE
`read_rejects` (row, column, value, reason, detail); the rest load. A plain UTF-8 text file may instead
be read where it is typed (`stream`; insight/ingest/stream.py), the view then reading the file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb

from insight import settings
from insight.errors import InsightError
from insight.i18n import msg
from insight.ingest import excel, sniff

TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
SUPPORTED = sorted(TEXT_EXTENSIONS | EXCEL_EXTENSIONS | {".parquet", ".json", ".jsonl", ".ndjson"})
READ_REJECTS = "read_rejects"
_BASE = "raw_base"
_POSITION = "_file_position"
EMPTY_REJECTS = (
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
    #: A UTF-8 text file typed where it is read (insight/ingest/stream.py): its read_csv call given
    #: the options after the layout's. None: the rows were copied into the view's table.
    stream: Callable[[str], str] | None = None

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
    stream: bool = False,
) -> Parsed:
    """Load `path` into TEMP VIEW `table` (on this cursor) and say how it was read. `stream`: a
    plain UTF-8 text file is not copied; `table` reads the file (see insight/ingest/stream.py)."""
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
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {READ_REJECTS} AS {EMPTY_REJECTS}")
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
        parsed = _read_text(cur, path, name, table, encoding, delimiter, size, stream)
    if parsed.stream is None:
        _settle(cur, parsed)
    else:
        cur.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS {streamed(cur, parsed)}")
        try:
            readable = cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]
        except duckdb.Error:
            readable = 0
        if not readable:
            copy(cur, parsed)  # nothing to read at its start: the copy says why
    return parsed


def streamed(cur, parsed: Parsed) -> str:
    """The rows of a streamed file read again, numbered as the file does, without blank rows."""
    buffer = f"{SKIP_REJECTS}, buffer_size={max(_SMALL_BUFFER, 2 * settings.MAX_LINE_BYTES)}"
    rows = (
        f"(SELECT * FROM (SELECT row_number() OVER () - 1 AS {_POSITION}, * FROM {parsed.stream(buffer)}) "
        f"WHERE NOT ({blank_row(parsed.columns, parsed.blanks)}))"
    )
    return numbered(cur, parsed, rows, _POSITION, _POSITION)


def _settle(cur, parsed: Parsed) -> None:
    """The copied rows without blank rows and control characters, numbered, counted."""
    parsed.blank_rows = _drop_blank_rows(cur, parsed.columns, parsed.blanks)
    _clean_control_characters(cur, parsed)
    cur.execute(f"CREATE OR REPLACE TEMP VIEW {parsed.table} AS {numbered(cur, parsed)}")
    parsed.rows = cur.execute(f"SELECT count(*) FROM {_BASE}").fetchone()[0]
    check_rows(cur, parsed)


def copy(cur, parsed: Parsed) -> None:
    """Copy a streamed file's rows into the view's table after all, as `read` does without `stream`."""
    _duckdb_csv(cur, parsed.stream, [], parsed.columns, parsed.skipped_lines + parsed.header, parsed.file)
    parsed.stream = None
    parsed.unreadable_rows = cur.execute(f"SELECT count(*) FROM {READ_REJECTS}").fetchone()[0]
    _settle(cur, parsed)


def check_rows(cur, parsed: Parsed) -> None:
    """Refuse a file with no rows to load, saying why."""
    name = parsed.file
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


def _read_text(
    cur, path: Path, name: str, table: str, encoding: str, delimiter: str, size: int = 0, stream: bool = False
) -> Parsed:
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
        control, blanks = sniff.scan_bytes(source, delim)
        types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in lay.columns) + "}"
        call = partial(csv_call, _literal(source), types, _literal(delim), lay.header, skip)
        direct = stream and tmp is None and not control and _plain(source, delim, *lay.columns)
        if not direct:  # (bound: a path or header that is not UTF-8 is read too)
            csv = partial(csv_call, "?", "?", "?", lay.header, skip)
            params = [source, delim, {c: "VARCHAR" for c in lay.columns}]
            _duckdb_csv(cur, csv, params, lay.columns, skip + lay.header, name, lay.encoding)
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
        stream=call if direct else None,
    )


#: read_csv options: bad lines kept aside in DuckDB's reject tables; or skipped (the same lines).
KEEP_REJECTS = ", store_rejects=true, rejects_table='csv_errors', rejects_scan='csv_scans'"
SKIP_REJECTS = ", ignore_errors=true"
#: The buffer a streamed file's view reads with: its samples of the first rows then parse a few MB,
#: not the default buffer of tens of MB per thread.
_SMALL_BUFFER = 4 * 1024 * 1024
#: Short rows (trailing empty cells left out) are padded; with quoted line breaks that needs the
#: single-threaded reader.
_PADDED = ", null_padding=true, parallel=false"


def csv_call(source: str, types: str, delim: str, header: bool, skip: int, extra: str = "") -> str:
    """The read_csv call of a text file whose layout is decided (no sniffing), every column as
    text; `source`, `types` (column: type) and `delim` are SQL: literals, or ? bound to them."""
    return (
        f"read_csv({source}, delim={delim}, quote='\"', escape='\"', header={str(header).lower()}, "
        f"skip={int(skip)}, auto_detect=false, columns={types}, max_line_size={settings.MAX_LINE_BYTES}{extra})"
    )


def _duckdb_csv(
    cur, call: Callable[[str], str], params: list, columns: list[str], offset: int, name: str, encoding: str = "utf-8"
) -> None:
    """Copy the rows of `call` into the view's table, bad lines aside as rejects (`offset`: lines
    before the first row; `encoding`: the file's, which bytes of a rejected line did not fit)."""
    drop_csv_errors(cur)
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {_BASE} AS SELECT * FROM {call(KEEP_REJECTS)}", params)
        if short_rows(cur):
            drop_csv_errors(cur)
            cur.execute(f"CREATE OR REPLACE TEMP TABLE {_BASE} AS SELECT * FROM {call(KEEP_REJECTS + _PADDED)}", params)
    except duckdb.Error as exc:
        raise InsightError(
            msg("import.unreadable", reason=_first_line(exc)), file=name, hint=msg("import.unreadable.hint")
        ) from None
    keep_rejects(cur, columns, offset, name, encoding)


def drop_csv_errors(cur) -> None:
    cur.execute("DROP TABLE IF EXISTS csv_errors; DROP TABLE IF EXISTS csv_scans")


def short_rows(cur) -> bool:
    """Whether the last read met rows with fewer fields than columns (read again, padded)."""
    return bool(cur.execute("SELECT count(*) FROM csv_errors WHERE error_type = 'MISSING COLUMNS'").fetchone()[0])


def keep_rejects(cur, columns: list[str], offset: int, name: str, encoding: str = "utf-8") -> None:
    """The last read's bad lines as rejects in READ_REJECTS, one reason per line; an open quote
    refuses the file."""
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
        column = columns[column_idx - 1] if column_idx and 0 < column_idx <= len(columns) else None
        reason, detail = _reject_reason(kind, message, len(columns), encoding)
        rejects.append((row, column, (text or "")[:200], reason, detail))
    if rejects:
        cur.executemany(f"INSERT INTO {READ_REJECTS} VALUES (?, ?, ?, ?, ?)", rejects)


def _reject_reason(kind: str, message: str, columns: int, encoding: str) -> tuple[str, str]:
    if kind == "TOO MANY COLUMNS":
        found = re.search(r"Found:\s*(\d+)", message or "")
        return "reject.too_many_fields", f"{found.group(1) if found else '?'} / {columns}"
    if kind in ("INVALID ENCODING", "INVALID UNICODE"):
        return "reject.encoding", encoding
    if kind == "LINE SIZE OVER MAXIMUM":
        size = re.search(r"Actual Size:\s*(\d+)", message or "")
        return "reject.line_too_long", f"{int(size.group(1)):,}" if size else "?"
    return "reject.unreadable", (message or kind).splitlines()[0][:200]


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


def numbered(cur, parsed: Parsed, base: str = _BASE, position: str = "rowid", hidden: str = "") -> str:
    """The view of the rows of `base` with `_row`: the row's position in the file, counting the rows
    the reader rejected (their numbers come from DuckDB's line count). `position`: the 0-based
    position of a row among those read; `hidden`: a column of `base` left out."""
    drop = f" EXCLUDE ({hidden})" if hidden else ""
    if not parsed.unreadable_rows:
        return f"SELECT CAST({position} + 1 AS BIGINT) AS _row, *{drop} FROM {base}"
    # Accepted row k (0-based) follows every rejected row j (0-based, in order) with row_j - j - 1 <= k.
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE read_gaps AS SELECT k, max(j) AS before FROM ("
        '  SELECT "row" - row_number() OVER (ORDER BY "row") AS k, row_number() OVER (ORDER BY "row") AS j '
        f'  FROM (SELECT DISTINCT "row" FROM {READ_REJECTS})) GROUP BY k'
    )
    return (
        f"SELECT CAST(b.{position} + 1 + coalesce(g.before, 0) AS BIGINT) AS _row, b.*{drop} FROM {base} b "
        f"ASOF LEFT JOIN read_gaps g ON b.{position} >= g.k"
    )


def blank_row(columns: list[str], blanks: bool = True) -> str:
    """Whether a row's every cell is empty or spaces (`blanks=False`: no cell has spaces at its ends)."""
    return " AND ".join(f"({_q(c)} IS NULL OR {'trim(' + _q(c) + ')' if blanks else _q(c)} = '')" for c in columns)


def _drop_blank_rows(cur, columns: list[str], blanks: bool = True) -> int:
    """Delete the blank rows (see `blank_row`)."""
    if not columns:
        return 0
    blank = blank_row(columns, blanks)
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


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain(*texts: str) -> bool:
    """Whether every text can be written in SQL as a literal (UTF-8, no NUL)."""
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any("\x00" in t for t in texts)


def _q(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
