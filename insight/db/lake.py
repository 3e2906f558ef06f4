"""The lake: each published data version as Parquet, for engines that read files (Spark).

Layout (canonical, so `INSIGHT_LAKE` may point at Parquet written by another tool in it):
`<lake>/<table>/v<version>/*.parquet`, one folder per table and version, never rewritten (a
version never changes). Each file carries `rowid`, DuckDB's row number of the version, which
queries use to break ties and to pair rows.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from insight import settings
from insight.db import dialect
from insight.db.schema import TABLE_NAMES
from insight.db.workspace import Workspace, quote
from insight.errors import InsightError
from insight.i18n import msg


def root(ws: Workspace) -> Path:
    return settings.lake_path(ws.path)


def folder(ws: Workspace, physical: str) -> Path:
    """`<lake>/<table>/v<version>` of a physical table `<table>__v<version>`."""
    table, version = physical.rsplit("__v", 1)
    if table not in TABLE_NAMES or not version.isdigit():
        raise ValueError(f"not a data version: {physical!r}")
    return root(ws) / table / f"v{int(version)}"


def has(ws: Workspace, physical: str) -> bool:
    return any(folder(ws, physical).glob("*.parquet"))


def export(ws: Workspace, physical: str) -> Path:
    """Write one version as Parquet unless it is there already. Written to a temporary folder
    and renamed, so a reader never sees half a version."""
    target = folder(ws, physical)
    if has(ws, physical):
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    path = dialect.literal(str(partial / "part-0.parquet"))
    with ws.cursor() as cur:
        types = cur.execute(f"DESCRIBE {quote(physical)}").fetchall()
        cols = [_column(name, kind) for name, kind, *_ in types]
        select = f"SELECT rowid AS rowid, {', '.join(cols)} FROM {quote(physical)}"
        cur.execute(f"COPY ({select}) TO {path} (FORMAT parquet)")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _column(name: str, kind: str) -> str:
    """A column as Spark can read it: nanosecond timestamps (pandas' default) as microseconds."""
    if kind.upper().startswith("TIMESTAMP_NS"):
        return f"CAST({quote(name)} AS TIMESTAMP) AS {quote(name)}"
    return quote(name)


def export_all(ws: Workspace) -> list[dict]:
    """`python -m insight lake export`: every kept version of every table (what `ds=` links
    reach), each written once."""
    rows = ws.query("SELECT version, table_name, physical FROM _imports WHERE physical IS NOT NULL ORDER BY version")
    existing = set(ws._physical_tables())
    out = []
    for r in rows.itertuples():
        if r.physical not in existing:  # pruned
            continue
        written = not has(ws, r.physical)
        path = export(ws, r.physical)
        out.append({"table": r.table_name, "version": int(r.version), "path": str(path), "written": written})
    return out


# --- a lake written by another tool ------------------------------------------------------------

#: Arrow types a canonical column of each kind may have in a lake (insight/db/schema.py kinds).
_KINDS = {
    "id": ("string", "integer"),
    "text": ("string",),
    "number": ("integer", "floating", "decimal"),
    "integer": ("integer",),
    "bool": ("boolean",),
    "date": ("date", "timestamp"),
}


def found(source: Path) -> dict[str, Path]:
    """The tables of a lake in the canonical layout: `<source>/<table>/*.parquet`, or per version
    `<source>/<table>/v<N>/*.parquet` (the highest N is read)."""
    out = {}
    for table in TABLE_NAMES:
        base = source / table
        versions = sorted(
            (int(p.name[1:]), p) for p in base.glob("v*") if p.name[1:].isdigit() and any(p.glob("*.parquet"))
        )
        if versions:
            out[table] = versions[-1][1]
        elif any(base.glob("*.parquet")):
            out[table] = base
    return out


def check(table: str, folder: Path) -> None:
    """Refuse a table whose Parquet lacks a required column or holds a canonical column in a type
    that cannot mean it (amounts as text, dates as numbers …)."""
    import pyarrow.parquet as pq

    from insight.db.schema import TABLES

    files = sorted(folder.glob("*.parquet"))
    try:
        schema = pq.read_schema(files[0])
    except Exception as exc:  # pyarrow's errors have no common base beyond this
        raise InsightError(msg("lake.unreadable", table=table, detail=str(exc)), file=str(files[0])) from exc
    types = {name.lower(): schema.field(name).type for name in schema.names}
    for column in TABLES[table]:
        kind = types.get(column.name)
        if kind is None:
            if column.required:
                raise InsightError(
                    msg("lake.column_missing", table=table, column=column.name),
                    file=str(folder),
                    column=column.name,
                    hint=msg("lake.column_missing.hint", column=column.name, columns=", ".join(schema.names)),
                )
            continue
        if _family(kind) not in _KINDS[column.kind]:
            raise InsightError(
                msg("lake.column_type", table=table, column=column.name, found=str(kind), kind=column.kind),
                file=str(folder),
                column=column.name,
                hint=msg("lake.column_type.hint", column=column.name, expected=" / ".join(_KINDS[column.kind])),
            )


def _family(kind) -> str:
    import pyarrow.types as pt

    checks = (
        ("string", pt.is_string),
        ("string", pt.is_large_string),
        ("boolean", pt.is_boolean),
        ("integer", pt.is_integer),
        ("floating", pt.is_floating),
        ("decimal", pt.is_decimal),
        ("date", pt.is_date),
        ("timestamp", pt.is_timestamp),
    )
    return next((name for name, test in checks if test(kind)), str(kind))


def adopt(ws: Workspace, source: Path) -> list[dict]:
    """`python -m insight lake import [PATH]`: the tables of a lake written by another tool, each
    checked first (all or nothing: one bad table imports none), then imported as a new data
    version of the workspace; the engine reads them from there on (Spark from its own lake)."""
    from insight.ingest.importer import import_file

    tables = found(source)
    if not tables:
        expected = ", ".join(f"{t}/" for t in TABLE_NAMES)
        raise InsightError(
            msg("lake.no_tables", folder=str(source)),
            file=str(source),
            hint=msg("lake.no_tables.hint", expected=expected),
        )
    for table, folder in tables.items():
        check(table, folder)
    out = []
    for table, folder in tables.items():
        with tempfile.TemporaryDirectory(dir=ws.path.parent) as scratch:
            result = import_file(ws, _one_file(ws, folder, Path(scratch)), table, display_name=f"{table} ({folder})")
        out.append({"table": table, "folder": str(folder), "version": result.version, "rows": result.rows_loaded})
    return out


def _one_file(ws: Workspace, folder: Path, scratch: Path) -> Path:
    """The folder's Parquet as one file for the importer (its files joined by column name)."""
    files = sorted(folder.glob("*.parquet"))
    if len(files) == 1:
        return files[0]
    target = scratch / f"{folder.name}.parquet"
    joined = "SELECT * FROM read_parquet(?, union_by_name = true)"
    with ws.cursor() as cur:
        cur.execute(
            f"COPY ({joined}) TO {dialect.literal(str(target))} (FORMAT parquet)",
            [[str(f) for f in files]],
        )
    return target
