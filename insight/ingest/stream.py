"""Typing a plain UTF-8 text file as it is read, without a copy of its text.

Copying a million rows of text into a table costs about half a CPU-second, and the typing pass
reads them once. So a text file that needs no cleaning (UTF-8, no control characters) is typed
straight from DuckDB's read_csv into TEMP TABLE `typed_base` (`reader.read(stream=True)`); the
raw view reads the file where a step needs the text (the mapping's and the formats' samples read
its first rows; the reasons of rejected rows and exact duplicates read it again). `typed_import`
is a view of `typed_base` numbering its rows as the file does (a table keeps the order rows were
inserted in: its row ids are the file's order, with the reader's rejected lines counted in).

A file with short rows (read again padded, by the single-threaded reader) or that DuckDB cannot
read is copied after all (`reader.copy`), and typed as any other.
"""

from __future__ import annotations

import duckdb

from insight.ingest import reader

BASE = "typed_base"
_BLANK = "_blank_row"


def typed(cur, parsed: reader.Parsed, typed_view: str, select: str, read) -> bool:
    """Type the file's rows as they are read: `select` (the typed columns and `_ok`) over `read(source)`
    (the source with its cleaned columns). Leaves `typed_view` and the raw view numbering rows as
    the file does, and the rows, blank rows and reader's rejects counted in `parsed`. False when the
    file had to be copied instead (the raw view is then the reader's table)."""
    blank = reader.blank_row(parsed.columns, parsed.blanks)
    reader.drop_csv_errors(cur)
    try:
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {BASE} AS SELECT {select}, {blank} AS {_BLANK} "
            f"FROM {read(parsed.stream(reader.KEEP_REJECTS))}"
        )
        padded = reader.short_rows(cur)
    except duckdb.Error:  # read again, copied: the reader says what is wrong with the file
        padded = True
    if padded:
        cur.execute(f"DROP TABLE IF EXISTS {BASE}")
        reader.copy(cur, parsed)
        return False
    reader.keep_rejects(cur, parsed.columns, parsed.skipped_lines + parsed.header, parsed.file)
    parsed.unreadable_rows = cur.execute(f"SELECT count(*) FROM {reader.READ_REJECTS}").fetchone()[0]
    blank_rows, rows = cur.execute(f"SELECT count(*) FILTER (WHERE {_BLANK}), count(*) FROM {BASE}").fetchone()
    parsed.blank_rows, parsed.rows = blank_rows, rows - blank_rows
    if blank_rows:  # (row ids stay: deleting rows leaves the others' ids as they are)
        cur.execute(f"DELETE FROM {BASE} WHERE {_BLANK}")
    reader.check_rows(cur, parsed)
    cur.execute(f"CREATE OR REPLACE TEMP VIEW {parsed.table} AS {reader.streamed(cur, parsed)}")
    cur.execute(f"CREATE OR REPLACE TEMP VIEW {typed_view} AS {reader.numbered(cur, parsed, BASE, hidden=_BLANK)}")
    return True
