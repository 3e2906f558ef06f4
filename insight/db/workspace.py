"""The workspace: one DuckDB file, versioned tables, and the one door every query goes through.

Each import writes a new physical table `<table>__v<version>` and records it in `_imports` inside
the same transaction, then points the plain view `<table>` at it. A failed or killed import rolls
back, so readers see the previous version untouched. `version` is a workspace-wide counter:
`ds=N` in a share link pins every table to its state as of import N.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from insight import settings
from insight.db.schema import TABLE_NAMES
from insight.errors import InsightError, QueryTimeout
from insight.i18n import Message, msg

_CATALOG = """
CREATE TABLE IF NOT EXISTS _imports (
    version INTEGER PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    physical VARCHAR,
    op VARCHAR NOT NULL,          -- replace | append | delete
    rows BIGINT,
    source_file VARCHAR,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    report JSON
);
CREATE TABLE IF NOT EXISTS _templates (
    signature VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    mapping JSON NOT NULL,
    saved_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- people (insight/auth/users.py): an argon2 hash, a role, a row scope (insight/auth/access.py), lockout
CREATE TABLE IF NOT EXISTS _users (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    scope JSON NOT NULL,
    password_hash VARCHAR,
    email VARCHAR,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- signed-in browsers: the SHA-256 of each session token, never the token itself
CREATE TABLE IF NOT EXISTS _sessions (
    token_hash VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at TIMESTAMP NOT NULL
);
-- the values of each row scope, so a scope's views bind no literal (insight/auth/access.py)
CREATE TABLE IF NOT EXISTS _scope_values (scope VARCHAR NOT NULL, dim VARCHAR NOT NULL, value VARCHAR NOT NULL);
CREATE SEQUENCE IF NOT EXISTS _audit_seq;
CREATE TABLE IF NOT EXISTS _audit (
    id BIGINT PRIMARY KEY DEFAULT nextval('_audit_seq'),
    "at" TIMESTAMP NOT NULL DEFAULT current_timestamp,
    who VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    what VARCHAR,
    origin VARCHAR,
    ok BOOLEAN NOT NULL DEFAULT true
);
-- saved views (insight/reports/saved.py): a page and its URL state, personal or shared, pinned
-- to a data version (`version`) or following the latest (NULL)
CREATE TABLE IF NOT EXISTS _saved_views (
    owner VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    page VARCHAR NOT NULL,
    query VARCHAR NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT false,
    version INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, name)
);
-- report schedules (insight/reports/schedule.py): `last_due` is the occurrence that last ran
CREATE TABLE IF NOT EXISTS _schedules (
    name VARCHAR PRIMARY KEY,
    view_owner VARCHAR NOT NULL,
    view_name VARCHAR NOT NULL,
    recipients JSON NOT NULL,
    every VARCHAR NOT NULL,
    at_time VARCHAR NOT NULL,
    day INTEGER,
    format VARCHAR NOT NULL,
    lang VARCHAR NOT NULL,
    run_as VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_due TIMESTAMP
);
CREATE SEQUENCE IF NOT EXISTS _schedule_runs_seq;
CREATE TABLE IF NOT EXISTS _schedule_runs (
    id BIGINT PRIMARY KEY DEFAULT nextval('_schedule_runs_seq'),
    schedule VARCHAR NOT NULL,
    due TIMESTAMP NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    ok BOOLEAN NOT NULL,
    result VARCHAR
);
-- every delivery attempt of a report or an alert, failures included (insight/reports/deliver.py)
CREATE SEQUENCE IF NOT EXISTS _deliveries_seq;
CREATE TABLE IF NOT EXISTS _deliveries (
    id BIGINT PRIMARY KEY DEFAULT nextval('_deliveries_seq'),
    "at" TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    ok BOOLEAN NOT NULL,
    error VARCHAR
);
-- alert rules and their occurrences (insight/reports/alerts.py)
CREATE TABLE IF NOT EXISTS _alert_rules (
    name VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    metric VARCHAR,
    op VARCHAR,
    threshold DOUBLE,
    query VARCHAR NOT NULL,
    days INTEGER,
    owner VARCHAR NOT NULL,
    targets JSON NOT NULL,
    lang VARCHAR NOT NULL,
    muted_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS _alert_events_seq;
CREATE TABLE IF NOT EXISTS _alert_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('_alert_events_seq'),
    rule VARCHAR NOT NULL,
    "key" VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    closed_by VARCHAR,
    value DOUBLE,
    detail JSON,
    delivered BOOLEAN NOT NULL DEFAULT false,
    attempts INTEGER NOT NULL DEFAULT 0
);
-- dated notes drawn on every time chart of their period (insight/domain/annotations.py)
CREATE SEQUENCE IF NOT EXISTS _annotations_seq;
CREATE TABLE IF NOT EXISTS _annotations (
    id BIGINT PRIMARY KEY DEFAULT nextval('_annotations_seq'),
    day DATE NOT NULL,
    end_day DATE,
    text VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
"""


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


class WorkspaceHeld(InsightError):
    """Another process holds the workspace file (DuckDB allows one): the serving app, which takes
    the command instead (insight/handoff.py), or another CLI run."""


#: Numbers the in-memory catalog attached to each Workspace (two may share one DuckDB instance).
_SCRATCH_IDS = itertools.count(1)


class Workspace:
    """One DuckDB file. Safe to share between threads: every call takes its own cursor."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = settings.workspace_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), config={"memory_limit": settings.DUCKDB_MEMORY_LIMIT})
        except duckdb.Error as exc:
            kind = WorkspaceHeld if "lock" in str(exc).lower() else InsightError
            raise kind(
                msg("error.workspace_busy", path=str(self.path), reason=str(exc).splitlines()[0]),
                hint=msg("error.workspace_busy.hint"),
            ) from None
        self._write_lock = threading.RLock()
        self._snapshots: dict[tuple[int | None, int], Snapshot] = {}
        self._columns: dict[str, list[str]] = {}
        self._facts: set[str] = set()  # derived fact tables known to exist (insight/db/facts.py)
        self._facts_meta: dict[str, object] = {}
        #: Another engine the data queries run on (insight/db/spark.py); None: DuckDB runs them.
        self.engine = None
        with self.cursor() as cur:
            cur.execute(_CATALOG)
            # Tables a read computes (a period's segments) live here, in memory, never in the file
            # (insight/db/facts.py `derived_table`).
            self.scratch = f"_scratch{next(_SCRATCH_IDS)}"
            cur.execute(f"ATTACH ':memory:' AS {self.scratch} (READ_WRITE)")

    # --- the one door ------------------------------------------------------------------------

    @contextmanager
    def cursor(self):
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query(
        self, sql: str, params: list | dict | None = None, *, cap: int | None = None, timeout: float | None = None
    ) -> pd.DataFrame:
        """Run one read query with bound parameters; more than `cap` rows is an error."""
        cap = settings.ROW_CAP if cap is None else cap
        frame, truncated = self.fetch(sql, params, cap=cap, timeout=timeout)
        if truncated:
            raise InsightError(
                msg("error.row_cap", cap=f"{cap:,}"),
                hint=msg("error.row_cap.hint"),
            )
        return frame

    def fetch(
        self, sql: str, params: list | dict | None = None, *, cap: int, timeout: float | None = None
    ) -> tuple[pd.DataFrame, bool]:
        """The first `cap` rows of a read query and whether there were more. Rows are fetched a
        chunk at a time and fetching stops past the cap, so a huge result is never loaded whole."""
        if self.engine is not None and self.engine.reads(sql):
            return self.engine.fetch(sql, params, cap=cap)
        vectors = max(1, math.ceil((cap + 1) / 2048))
        with self.cursor() as cur, _time_limit(cur, timeout):
            cur.execute(sql, params or [])
            chunks = [cur.fetch_df_chunk(vectors)]
            got = len(chunks[0])
            while got <= cap and len(chunks[-1]):
                chunks.append(cur.fetch_df_chunk(vectors))
                got += len(chunks[-1])
        frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        truncated = len(frame) > cap
        return (frame.iloc[:cap] if truncated else frame), truncated

    def scalar(self, sql: str, params: list | dict | None = None, *, timeout: float | None = None):
        if self.engine is not None and self.engine.reads(sql):
            return self.engine.scalar(sql, params)
        with self.cursor() as cur, _time_limit(cur, timeout):
            row = cur.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def created(self, name: str, kind: str, sql: str, params: list | dict | None = None) -> None:
        """`name` is (or was already) `CREATE <kind> name AS sql`: an engine keeping its own
        copy of derived tables builds it from the same SQL."""
        if self.engine is not None:
            self.engine.define(name, kind, sql, params)

    # --- versions ----------------------------------------------------------------------------

    def version(self) -> int:
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM _imports"))

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
        tables = {}
        for r in rows.itertuples():
            if r.op == "delete":
                continue
            if r.physical not in existing:
                note = msg("ignored.version_pruned", version=at)
                return Snapshot(latest, self.snapshot().tables, note)
            tables[r.table_name] = r.physical
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
            self._columns[physical] = self.query(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
                [physical],
            )["column_name"].tolist()
        return list(self._columns[physical])

    # --- writes ------------------------------------------------------------------------------

    @contextmanager
    def writer(self, cur=None, *, beside: bool = False):
        """One writer at a time, in one transaction that commits on success and rolls back on
        any failure. Pass the cursor that holds the staged temp tables, if there is one.
        `beside=True`: a small write to a table no other writer touches (a line of the audit log)
        runs in its own transaction beside a running import instead of waiting for it (DuckDB's
        MVCC keeps them apart), so signing in never waits for an import."""
        with nullcontext() if beside else self._write_lock:
            if cur is None:
                with self.cursor() as own, self.writer(own, beside=beside) as inner:
                    yield inner
                return
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException as exc:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed write (disk full) has already aborted the transaction
                if isinstance(exc, duckdb.Error):
                    raise write_error(exc) from exc
                raise

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
    ) -> int:
        """Inside `writer()`: materialise `select_sql` as the next version of `table`."""
        if table not in TABLE_NAMES:
            raise InsightError(
                msg("error.unknown_table", table=table), hint=msg("error.choose", choices=", ".join(TABLE_NAMES))
            )
        version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM _imports").fetchone()[0]
        physical = f"{table}__v{version}"
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
            "INSERT OR REPLACE INTO _templates (signature, table_name, mapping, saved_at) "
            "VALUES (?, ?, ?, current_timestamp)",
            [signature, table, json.dumps(mapping)],
        )

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):  # another handle may keep the instance open
            self._con.execute(f"DETACH {self.scratch}")
        self._con.close()

    # --- internals ---------------------------------------------------------------------------

    def _physical_tables(self, cur=None) -> list[str]:
        sql = "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name LIKE '%\\_\\_v%' ESCAPE '\\'"
        if cur is not None:
            return [r[0] for r in cur.execute(sql).fetchall()]
        return self.query(sql)["table_name"].tolist()

    def _prune(self, cur, table: str) -> None:
        kept = cur.execute(
            "SELECT physical FROM _imports WHERE table_name = ? AND physical IS NOT NULL ORDER BY version DESC LIMIT ?",
            [table, settings.KEEP_VERSIONS],
        ).fetchall()
        keep = {r[0] for r in kept}
        for name in self._physical_tables(cur):
            if name.startswith(f"{table}__v") and name not in keep:
                cur.execute(f"DROP TABLE {quote(name)}")


def write_error(exc: duckdb.Error) -> Exception:
    """A failed write as the user's error when it is theirs to fix (disk, memory, another process),
    else unchanged (a bug). Either way the transaction rolled back: the previous data serves."""
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if isinstance(exc, duckdb.IOException) or "No space left" in text or "disk" in text.lower():
        return InsightError(msg("write.disk", reason=first), hint=msg("write.disk.hint"))
    if isinstance(exc, duckdb.OutOfMemoryException):
        return InsightError(msg("write.memory", limit=settings.DUCKDB_MEMORY_LIMIT), hint=msg("write.memory.hint"))
    return exc


@contextmanager
def _time_limit(cur, timeout: float | None):
    """Interrupt the query on `cur` after `timeout` seconds (default: the setting) and turn
    DuckDB's errors into ours: a typed `QueryTimeout`, or an `InsightError`."""
    seconds = settings.query_timeout() if timeout is None else timeout
    timer = threading.Timer(seconds, cur.interrupt) if seconds and seconds > 0 else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield
    except duckdb.InterruptException:
        raise QueryTimeout(msg("error.timeout", seconds=f"{seconds:g}"), hint=msg("error.timeout.hint")) from None
    except duckdb.Error as exc:
        raise InsightError(msg("error.query", detail=str(exc).splitlines()[0])) from exc
    finally:
        if timer is not None:
            timer.cancel()


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
