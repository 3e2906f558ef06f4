"""The lake: each published data version as Parquet, for engines that read files (Spark).

Layout: `<lake>/<table>/v<version>/*.parquet`, one folder per table and version, never rewritten
(a version never changes). Each file carries `rowid`, DuckDB's row number of the version, which
queries use to break ties and to pair rows. The same lake (`INSIGHT_LAKE`) may also hold another
tool's tables as `<lake>/<table>/*.parquet`, which Spark reads in place (insight/db/foreign_lake.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from insight import settings
from insight.db import dialect
from insight.db.schema import TABLE_NAMES
from insight.db.workspace import Workspace, quote


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
    rows = ws.query(  # (not the versions read in place from another tool's lake: insight/db/foreign_lake.py)
        "SELECT version, table_name, physical FROM _imports "
        "WHERE physical IS NOT NULL AND op <> 'lake' ORDER BY version"
    )
    existing = set(ws._physical_tables())
    out = []
    for r in rows.itertuples():
        if r.physical not in existing:  # pruned
            continue
        written = not has(ws, r.physical)
        path = export(ws, r.physical)
        out.append({"table": r.table_name, "version": int(r.version), "path": str(path), "written": written})
    return out
