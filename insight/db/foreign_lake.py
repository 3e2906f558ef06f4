"""A lake written by another tool (Spark jobs, Hive, pandas …) in the canonical layout, and the two
ways in: read in place by Spark (`mount`: `INSIGHT_ENGINE=spark` with `INSIGHT_LAKE` pointing at
it), or copied into the workspace (`adopt`: `python -m insight lake import PATH`, for DuckDB).

Layout: one folder per canonical table (insight/db/schema.py) holding Parquet files
(`<lake>/orders/*.parquet`) or Hive-style partitions of them (`<lake>/orders/region=East/*.parquet`,
each partition key a column), or, for `lake import` only, versions of them (`<lake>/orders/v<N>/`,
the highest N read). Columns carry their canonical names (in any case); other columns are kept.
Every file's columns are checked before anything is read: a missing required column, or a
canonical column of a type that cannot mean it, refuses the lake naming file, column and fix.

Read in place, each canonical column is typed as an import types it (ids and text as strings,
numbers as doubles, integers as BIGINT, dates as timestamps; orders without a status get the
importer's) and the rows get the row id the files
lack, `rowid` = (the file's number among the table's files sorted by path) × 2^40 + (the row's
position in its file): the same on every read of the same files, so ties break the same way on
every run. Columns of nested or binary types are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from insight.db import dialect
from insight.db.schema import CANCELLED, COMPLETED, RETURNED, TABLE_NAMES, TABLES
from insight.db.workspace import Workspace, quote
from insight.errors import InsightError
from insight.i18n import msg

#: Arrow type families a canonical column of each kind may have in a lake (insight/db/schema.py kinds).
_KINDS = {
    "id": ("string", "integer"),
    "text": ("string",),
    "number": ("integer", "floating", "decimal"),
    "integer": ("integer",),
    "bool": ("boolean",),
    "date": ("date", "timestamp"),
}
#: The type a canonical column is read as (as the importer types it): DuckDB's name, Spark's name.
_AS = {
    "id": ("VARCHAR", "STRING"),
    "text": ("VARCHAR", "STRING"),
    "number": ("DOUBLE", "DOUBLE"),
    "integer": ("BIGINT", "BIGINT"),
    "bool": ("BOOLEAN", "BOOLEAN"),
    "date": ("TIMESTAMP", "TIMESTAMP_NTZ"),
}
#: Another column's types by its Arrow family (partition keys are text); other families are left out.
_OTHER = {
    "string": ("VARCHAR", "STRING"),
    "integer": ("BIGINT", "BIGINT"),
    "floating": ("DOUBLE", "DOUBLE"),
    "decimal": ("DOUBLE", "DOUBLE"),
    "boolean": ("BOOLEAN", "BOOLEAN"),
    "timestamp": ("TIMESTAMP", "TIMESTAMP_NTZ"),
    "date": ("DATE", "DATE"),
}
#: Whether a partition folder's value is one of a kind (Spark casts it; an import would too).
_PARSES = {
    "number": float,
    "integer": int,
    "bool": lambda v: {"true": 1, "false": 0, "1": 1, "0": 0}[v.lower()],
    "date": dt.datetime.fromisoformat,
}
#: Spark's files beside the data (`_SUCCESS`, `.crc`), never read.
_HIDDEN = ("_", ".")
#: `rowid` = file number << FILE_BITS | row position in the file.
FILE_BITS = 40


@dataclass(frozen=True)
class Field:
    name: str  # as the app reads it: the canonical name, or the file's own for another column
    source: str  # as the files (or the partition folders) name it
    duck: str  # its type in DuckDB
    spark: str  # its type in Spark
    nanos: bool = False  # INT64 nanosecond timestamps: Spark reads them as numbers
    expr: str = ""  # computed from other columns instead (Spark SQL)

    def spark_sql(self) -> str:
        col = self.expr or "`" + self.source.replace("`", "``") + "`"
        if self.nanos:
            col = f"timestamp_micros(div({col}, 1000))"
        return f"CAST({col} AS {self.spark}) AS `{self.name.replace('`', '``')}`"


@dataclass(frozen=True)
class Layout:
    """One table of a lake as checked: its files, columns and rows."""

    table: str
    folder: Path
    files: tuple[Path, ...]
    fields: tuple[Field, ...]
    rows: int

    def fingerprint(self) -> str:
        """Changes when a file is added, removed or rewritten."""
        stats = [(p.relative_to(self.folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in self.files]
        return hashlib.sha256(repr(stats).encode()).hexdigest()[:16]


def files(folder: Path) -> list[Path]:
    """A table folder's Parquet files, in its partition folders (`key=value`) too, sorted by path."""
    out = []
    for path in folder.rglob("*.parquet") if folder.is_dir() else ():
        parts = path.relative_to(folder).parts
        if not any(p.startswith(_HIDDEN) for p in parts) and all("=" in p for p in parts[:-1]):
            out.append(path)
    return sorted(out, key=lambda p: p.as_posix())


def found(source: Path) -> dict[str, Path]:
    """The tables of a lake: `<source>/<table>/` with Parquet (or partitions of it), or per version
    `<source>/<table>/v<N>/` (the highest N)."""
    out = {}
    for table in TABLE_NAMES:
        base = source / table
        versions = sorted((int(p.name[1:]), p) for p in base.glob("v*") if p.name[1:].isdigit() and files(p))
        if versions:
            out[table] = versions[-1][1]
        elif files(base):
            out[table] = base
    return out


def check(table: str, folder: Path) -> Layout:
    """Every file's columns against the canonical table: refuses a missing required column, a
    canonical column of a type that cannot mean it, or two files disagreeing on a column's type."""
    import pyarrow.parquet as pq

    paths = files(folder)
    seen: dict[str, tuple[str, object, Path]] = {}  # lower name: (name, arrow type, first file)
    partitions: dict[str, tuple[str, set[str]]] = {}  # lower key: (key, values)
    rows = 0
    for path in paths:
        try:
            meta = pq.ParquetFile(path)
            schema, rows = meta.schema_arrow, rows + meta.metadata.num_rows
        except Exception as exc:  # pyarrow's errors have no common base beyond this
            raise InsightError(msg("lake.unreadable", table=table, detail=str(exc)), file=str(path)) from exc
        for name in schema.names:
            kind = schema.field(name).type
            first = seen.setdefault(name.lower(), (name, kind, path))
            if _family(first[1]) != _family(kind):
                raise InsightError(
                    msg("lake.column_conflict", table=table, column=name, found=str(kind), other=str(first[1])),
                    file=str(path),
                    column=name,
                    hint=msg("lake.column_conflict.hint", column=name, other=str(first[1]), first=str(first[2])),
                )
        for part in path.relative_to(folder).parts[:-1]:
            key, value = part.split("=", 1)
            partitions.setdefault(key.lower(), (key, set()))[1].add(unquote(value))
    fields = [_field(table, name, kind, path) for name, kind, path in seen.values() if name.lower() != "rowid"]
    fields += [
        _partition(table, folder, key, values) for lower, (key, values) in partitions.items() if lower not in seen
    ]
    names = {f.name for f in fields if f is not None}
    for column in TABLES[table]:
        if column.required and column.name not in names:
            raise InsightError(
                msg("lake.column_missing", table=table, column=column.name),
                file=str(folder),
                column=column.name,
                hint=msg(
                    "lake.column_missing.hint", column=column.name, columns=", ".join(c for c, *_ in seen.values())
                ),
            )
    if table == "orders" and "status" not in names:
        fields.append(_order_status(names))
    return Layout(table, folder, tuple(paths), tuple(f for f in fields if f is not None), rows)


def _order_status(names: set[str]) -> Field:
    """Orders without a status, as the importer gives them one (insight/ingest/plan.py): a negative
    amount or quantity is a return (a cancellation when the order id is `C` and digits, Online
    Retail's way), any other order completed."""
    negative = " OR ".join(f"{c} < 0" for c in ("quantity", "amount") if c in names)
    cases = f"WHEN ({negative}) AND order_id RLIKE '^[Cc][0-9]' THEN '{CANCELLED}' " if "order_id" in names else ""
    cases += f"WHEN {negative} THEN '{RETURNED}' "
    return Field("status", "status", "VARCHAR", "STRING", expr=f"CASE {cases}ELSE '{COMPLETED}' END")


def _canonical(table: str, name: str):
    return next((c for c in TABLES[table] if c.name == name.lower()), None)


def _field(table: str, name: str, kind, path: Path) -> Field | None:
    import pyarrow.types as pt

    family, column = _family(kind), _canonical(table, name)
    nanos = pt.is_timestamp(kind) and kind.unit == "ns"
    if column is None:
        types = _OTHER.get(family)
        return Field(name, name, *types, nanos=nanos) if types else None
    if family not in (*_KINDS[column.kind], "null"):  # (a column of no values is of any kind)
        raise InsightError(
            msg("lake.column_type", table=table, column=column.name, found=str(kind), kind=column.kind),
            file=str(path),
            column=column.name,
            hint=msg("lake.column_type.hint", column=column.name, expected=" / ".join(_KINDS[column.kind])),
        )
    return Field(column.name, name, *_AS[column.kind], nanos=nanos)


def _partition(table: str, folder: Path, key: str, values: set[str]) -> Field:
    """A partition key as a column: text, or its canonical kind when every folder's value is one."""
    column = _canonical(table, key)
    if column is None or column.kind in ("id", "text"):
        return Field(column.name if column else key, key, "VARCHAR", "STRING")
    for value in sorted(values - {"__HIVE_DEFAULT_PARTITION__"}):
        try:
            _PARSES[column.kind](value)
        except (ValueError, KeyError):
            raise InsightError(
                msg("lake.column_type", table=table, column=column.name, found=f"{key}={value}", kind=column.kind),
                file=str(folder / f"{key}={value}"),
                column=column.name,
                hint=msg("lake.partition_type.hint", column=column.name, kind=column.kind),
            ) from None
    return Field(column.name, key, *_AS[column.kind])


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


def _no_tables(source: Path) -> InsightError:
    expected = ", ".join(f"{t}/" for t in TABLE_NAMES)
    return InsightError(
        msg("lake.no_tables", folder=str(source)), file=str(source), hint=msg("lake.no_tables.hint", expected=expected)
    )


# --- in place (Spark) --------------------------------------------------------------------------


def in_place(source: Path) -> dict[str, Layout]:
    """The lake's tables Spark reads in place (not version folders: those are a workspace's own
    lake, or `lake import`'s), each checked."""
    return {t: check(t, f) for t, f in found(source).items() if f == source / t}


def mount(ws: Workspace, source: Path) -> list[dict]:
    """Make the lake's tables the workspace's current data without copying them: each table whose
    files changed since it was last mounted (or that the workspace holds otherwise) becomes a new
    data version, recorded in the workspace with its columns and no rows (the engine reads the rows
    from the files: `ws.engine.mount`), with its facts defined on the engine. All tables are
    checked first and published in one transaction: one bad table mounts none."""
    from insight.db import facts

    layouts = in_place(source)
    latest = ws.query(
        "SELECT table_name, json_extract_string(report, '$.lake') AS folder, json_extract_string(report, "
        "'$.fingerprint') AS fingerprint FROM (SELECT *, row_number() OVER (PARTITION BY table_name "
        "ORDER BY version DESC) AS k FROM _imports) WHERE k = 1 AND op = 'lake'"
    )
    current = {r.table_name: (r.folder, r.fingerprint) for r in latest.itertuples()}
    changed = {t: lay for t, lay in layouts.items() if current.get(t) != (str(lay.folder), lay.fingerprint())}
    out = []
    if changed:
        with ws.cursor() as cur, ws.writer(cur):
            tables = dict(ws.snapshot().tables)
            for table, layout in changed.items():
                select = ", ".join(f"CAST(NULL AS {f.duck}) AS {quote(f.name)}" for f in layout.fields)
                report = {"lake": str(layout.folder), "fingerprint": layout.fingerprint(), "files": len(layout.files)}
                version = ws.publish(
                    cur, table, f"SELECT {select} WHERE false", op="lake", source_file=str(layout.folder), report=report
                )
                cur.execute("UPDATE _imports SET rows = ? WHERE version = ?", [layout.rows, version])
                tables[table] = f"{table}__v{version}"
                ws.engine.mount(tables[table], layout)
                out.append({"table": table, "folder": str(layout.folder), "version": version, "rows": layout.rows})
            facts.build(ws, cur, tables)
    return out


# --- copied in (lake import) -------------------------------------------------------------------


def adopt(ws: Workspace, source: Path) -> list[dict]:
    """`python -m insight lake import [PATH]`: the tables of a lake written by another tool, each
    imported as a new data version of the workspace; the engine reads them from there on (Spark
    from its own lake). All or nothing: every table is checked and then run through the importer
    without writing (`dry_run`) before the first is imported, so a table the importer refuses
    leaves the workspace as it was."""
    from insight.ingest.importer import import_file

    tables = found(source)
    if not tables:
        raise _no_tables(source)
    for table, folder in tables.items():
        check(table, folder)
    out = []
    with tempfile.TemporaryDirectory(dir=ws.path.parent) as scratch:
        joined = {table: _one_file(ws, table, folder, Path(scratch)) for table, folder in tables.items()}
        for table, folder in tables.items():
            import_file(ws, joined[table], table, display_name=f"{table} ({folder})", dry_run=True)
        for table, folder in tables.items():
            result = import_file(ws, joined[table], table, display_name=f"{table} ({folder})")
            out.append({"table": table, "folder": str(folder), "version": result.version, "rows": result.rows_loaded})
    return out


def _one_file(ws: Workspace, table: str, folder: Path, scratch: Path) -> Path:
    """The folder's Parquet as one file for the importer: its files in path order joined by column
    name, each partition key a column."""
    paths = files(folder)
    if len(paths) == 1 and paths[0].parent == folder:
        return paths[0]
    target = scratch / f"{table}.parquet"
    joined = (
        "SELECT * FROM read_parquet(?, union_by_name = true, hive_partitioning = true, hive_types_autocast = false)"
    )
    with ws.cursor() as cur:
        cur.execute(
            f"COPY ({joined}) TO {dialect.literal(str(target))} (FORMAT parquet)",
            [[str(f) for f in paths]],
        )
    return target
