"""The workspace: versioned tables on one DuckDB file (whose one door is insight/db/connection.py).

Each import writes a new physical table `<table>__v<version>` and records it in `_imports` inside
the same transaction, then points the plain view `<table>` at it. A failed or killed import rolls
back, so readers see the previous version untouched. `version` is a workspace-wide counter:
`ds=N` in a share link pins every table to its state as of import N.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from insight import settings
from insight.db import catalog, dialect
from insight.db.connection import Connection
from insight.db.schema import TABLE_NAMES
from insight.errors import InsightError
from insight.i18n import Message, msg


@dataclass(frozen=True)
class Snapshot:
    """The physical table behind each canonical table at one version."""

    version: int
    tables: dict[str, str]
    note: Message | None = None  # why another version than the one asked for is shown
    rows: str = ""  # the row scope its tables are restricted to (insight/auth/access.py); "" = all rows
    #: A table's rows as a parenthesised SELECT (the rows a row scope allows), read instead of
    #: the physical table; `tables` still names the physical table the relation reads.
    relations: dict[str, str] = field(default_factory=dict, compare=False)

    def has(self, table: str) -> bool:
        return table in self.tables

    def __getitem__(self, table: str) -> str:
        if table in self.relations:
            return self.relations[table]
        try:
            return quote(self.tables[table])
        except KeyError:
            raise InsightError(
                msg("error.no_table", table=table), hint=msg("error.no_table.hint", table=table)
            ) from None


#: Numbers the in-memory catalog attached to each Workspace (two may share one DuckDB instance).
_SCRATCH_IDS = itertools.count(1)


class Workspace(Connection):
    """One DuckDB file of versioned tables and the workspace's own bookkeeping (insight/db/catalog.py)."""

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path)
        self._snapshots: dict[tuple[int | None, int], Snapshot] = {}
        self._columns: dict[str, list[str]] = {}
        self._facts: set[str] = set()  # derived fact tables known to exist (insight/db/facts.py)
        self._facts_meta: dict[str, object] = {}
        with self.cursor() as cur:
            cur.execute(catalog.DDL)
            # Tables a read computes (a period's segments) live here, in memory, never in the file
            # (insight/db/facts.py `derived_table`).
            self.scratch = f"_scratch{next(_SCRATCH_IDS)}"
            cur.execute(f"ATTACH ':memory:' AS {self.scratch} (READ_WRITE)")

    # --- versions ----------------------------------------------------------------------------

    def version(self) -> int:
        """The latest version (read once per write: a script run asks several times)."""
        return self.remembered("version", lambda: int(self.scalar("SELECT coalesce(max(version), 0) FROM _imports")))

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The tables in force at `version` (default: the latest). A pruned or unknown version
        falls back to the latest, with a note saying so."""
        latest = self.version()
        # Physical tables change only through publish/delete, which always move `latest`.
        cached = self._snapshots.get((version, latest))
        if cached is not None:
            return cached
        snap = self._snapshot(version, latest)
        self._snapshots[(version, latest)] = snap
        return snap

    def _snapshot(self, version: int | None, latest: int) -> Snapshot:
        note = None
        if version is not None and (version < 0 or version > latest):
            note = msg("ignored.version_unknown", version=version, latest=latest)
            version = None
        at = latest if version is None else version
        rows = self.query(
            """
            SELECT table_name, physical, op FROM (
                SELECT *, row_number() OVER (PARTITION BY table_name ORDER BY version DESC) AS k
                FROM _imports WHERE version <= ?
            ) WHERE k = 1
            """,
            [at],
        )
        existing = set(self._physical_tables())
        tables, in_place = {}, []
        for r in rows.itertuples():
            if r.op == "delete":
                continue
            if r.physical not in existing:
                note = msg("ignored.version_pruned", version=at)
                return Snapshot(latest, self.snapshot().tables, note)
            tables[r.table_name] = r.physical
            if r.op == "lake":  # read in place by Spark (insight/db/foreign_lake.py): no rows here
                in_place.append(r.table_name)
        if in_place and self.engine is None:
            note = msg("lake.in_place_only", tables=", ".join(sorted(in_place)))
        return Snapshot(at, tables, note)

    def datasets(self) -> pd.DataFrame:
        """One row per current table: name, rows, version, imported at, source file, op."""
        return self.query(
            """
            SELECT table_name AS "table", rows, version, imported_at, source_file, op AS mode
            FROM (
                SELECT *, row_number() OVER (PARTITION BY table_name ORDER BY version DESC) AS k
                FROM _imports
            ) WHERE k = 1 AND op <> 'delete'
            ORDER BY table_name
            """
        )

    def history(self) -> pd.DataFrame:
        return self.query(
            'SELECT version, table_name AS "table", op, rows, source_file, imported_at '
            "FROM _imports ORDER BY version DESC"
        )

    def columns(self, table: str, snapshot: Snapshot | None = None) -> list[str]:
        snap = snapshot or self.snapshot()
        if not snap.has(table):
            return []
        physical = snap.tables[table]
        if physical not in self._columns:  # versioned tables never change their columns
            self._columns[physical] = self.query(dialect.stored_columns(), [physical])["column_name"].tolist()
        return list(self._columns[physical])

    # --- writes ------------------------------------------------------------------------------

    def publish(
        self,
        cur,
        table: str,
        select_sql: str,
        *,
        op: str,
        source_file: str | None,
        report: dict | None = None,
        params: list | None = None,
        compress: dict[str, str] | None = None,
    ) -> int:
        """Inside `writer()`: materialise `select_sql` as the next version of `table`. `compress`:
        {column: DuckDB compression method} for columns whose data the caller knows (zstd writes a
        unique id column 3x faster than the dictionary+FSST DuckDB picks, and smaller)."""
        if table not in TABLE_NAMES:
            raise InsightError(
                msg("error.unknown_table", table=table), hint=msg("error.choose", choices=", ".join(TABLE_NAMES))
            )
        version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM _imports").fetchone()[0]
        physical = f"{table}__v{version}"
        if compress and _compression_chosen(cur):
            columns = cur.execute(f"DESCRIBE {select_sql}", params or []).fetchall()
            defined = ", ".join(
                f"{quote(name)} {kind}" + (f" USING COMPRESSION {compress[name]}" if name in compress else "")
                for name, kind, *_ in columns
            )
            cur.execute(f"CREATE TABLE {quote(physical)} ({defined})")
            cur.execute(f"INSERT INTO {quote(physical)} {select_sql}", params or [])
        else:
            cur.execute(f"CREATE TABLE {quote(physical)} AS {select_sql}", params or [])
        rows = cur.execute(f"SELECT count(*) FROM {quote(physical)}").fetchone()[0]
        cur.execute(
            "INSERT INTO _imports (version, table_name, physical, op, rows, source_file, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [version, table, physical, op, rows, source_file, json.dumps(report or {}, default=str)],
        )
        cur.execute(f"CREATE OR REPLACE VIEW {quote(table)} AS SELECT * FROM {quote(physical)}")
        self._prune(cur, table)
        return version

    def set_report(self, cur, version: int, report: dict) -> None:
        """Inside `writer()`: the import report of `version`, written after its rows were (an
        import that checks the rows it published: insight/ingest/direct.py)."""
        cur.execute("UPDATE _imports SET report = ? WHERE version = ?", [json.dumps(report, default=str), version])

    def publish_frames(self, frames: dict[str, pd.DataFrame], source_file: str) -> int:
        """Replace several tables from DataFrames in one transaction with the facts their pages
        read (the demo uses this)."""
        from insight.db import facts  # facts are built on the workspace

        with self.cursor() as cur, self.writer(cur):
            version, tables = 0, dict(self.snapshot().tables)
            for table, frame in frames.items():
                cur.register("_frame", frame)
                try:
                    version = self.publish(cur, table, "SELECT * FROM _frame", op="replace", source_file=source_file)
                finally:
                    cur.unregister("_frame")
                tables[table] = f"{table}__v{version}"
            facts.build(self, cur, tables)
        return version

    def delete(self, table: str, cur=None) -> int:
        """Remove a table and all its versions; the deletion itself gets a version number. Pass the
        cursor of an open `writer()` to make it part of a larger transaction."""
        if cur is None:
            with self.writer() as own:
                return self.delete(table, own)
        version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM _imports").fetchone()[0]
        cur.execute(
            "INSERT INTO _imports (version, table_name, physical, op, rows) VALUES (?, ?, NULL, 'delete', 0)",
            [version, table],
        )
        cur.execute(f"DROP VIEW IF EXISTS {quote(table)}")
        for name in self._physical_tables(cur):
            if name.startswith(f"{table}__v"):
                cur.execute(f"DROP TABLE {quote(name)}")
        return version

    def template(self, signature: str) -> dict | None:
        raw = self.scalar("SELECT mapping FROM _templates WHERE signature = ?", [signature])
        return json.loads(raw) if raw else None

    def save_template(self, cur, signature: str, table: str, mapping: dict) -> None:
        cur.execute(
            "INSERT INTO _templates (signature, table_name, mapping, saved_at) VALUES (?, ?, ?, current_timestamp) "
            "ON CONFLICT (signature) DO UPDATE SET table_name = excluded.table_name, mapping = excluded.mapping, "
            "saved_at = excluded.saved_at",
            [signature, table, json.dumps(mapping)],
        )

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):  # another handle may keep the instance open
            self._con.execute(f"DETACH {self.scratch}")
        super().close()

    # --- internals ---------------------------------------------------------------------------

    def _physical_tables(self, cur=None) -> list[str]:
        sql = dialect.stored("table", "%\\_\\_v%")
        if cur is not None:
            return [r[0] for r in cur.execute(sql).fetchall()]
        return self.query(sql)["name"].tolist()

    def _prune(self, cur, table: str) -> None:
        kept = cur.execute(
            "SELECT physical FROM _imports WHERE table_name = ? AND physical IS NOT NULL ORDER BY version DESC LIMIT ?",
            [table, settings.KEEP_VERSIONS],
        ).fetchall()
        keep = {r[0] for r in kept}
        for name in self._physical_tables(cur):
            if name.startswith(f"{table}__v") and name not in keep:
                cur.execute(f"DROP TABLE {quote(name)}")


def _compression_chosen(cur) -> bool:
    """Whether the workspace file's storage version lets a column's compression be chosen (zstd
    for text came with 1.2; an older file refuses it, and the refusal would abort the transaction)."""
    tags = cur.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    found = re.match(r"v(\d+)\.(\d+)", (tags or {}).get("storage_version", ""))
    return bool(found) and (int(found.group(1)), int(found.group(2))) >= (1, 2)


def quote(identifier: str) -> str:
    """A validated, quoted SQL identifier."""
    if not isinstance(identifier, str) or not identifier or "\x00" in identifier:
        raise InsightError(msg("error.bad_identifier", name=repr(identifier)))
    return '"' + identifier.replace('"', '""') + '"'


_OPEN: dict[Path, Workspace] = {}
_OPEN_LOCK = threading.Lock()


def open_workspace(path: str | Path | None = None) -> Workspace:
    """The process-wide Workspace for `path` (DuckDB allows one read-write handle per process)."""
    resolved = settings.workspace_path(path).resolve()
    with _OPEN_LOCK:
        ws = _OPEN.get(resolved)
        if ws is None:
            ws = _OPEN[resolved] = Workspace(resolved)
            if settings.engine() == "spark":
                from insight.db import spark

                spark.attach(ws)
            from insight.db import facts  # facts import this module

            facts.refresh(ws)  # an upgraded app finds the facts of its own schema: reads never build them
        return ws
