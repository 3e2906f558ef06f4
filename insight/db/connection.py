"""The one door every query goes through: one DuckDB file, a cursor per call (so threads can
share it), reads with bound parameters, a row cap and a time limit, DuckDB's errors turned into ours,
and one write transaction at a time. insight/db/workspace.py builds the versioned tables on it."""

from __future__ import annotations

import itertools
import math
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from insight import settings
from insight.errors import InsightError, QueryTimeout
from insight.i18n import msg


class WorkspaceHeld(InsightError):
    """Another process holds the workspace file (DuckDB allows one): the serving app, which takes
    the command instead (insight/handoff.py), or another CLI run."""


#: The last write to each database file by this process (a fresh tick per write). The process that
#: holds a DuckDB file is its only writer and writes only through `writer()`, so what was read
#: after the file's last tick stays true until the next (`Connection.remembered`).
_WRITTEN: dict[str, int] = {}
_TICKS = itertools.count(1)


class Connection:
    """One DuckDB file. Safe to share between threads: every call takes its own cursor."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = settings.workspace_path(path)
        self._file = str(Path(self.path).resolve())
        self._remembered: dict[str, tuple[int, object]] = {}
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
        #: Another engine the data queries run on (insight/db/spark.py); None: DuckDB runs them.
        self.engine = None

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
            if 0 < got <= cap and cur.fetchone() is None:  # the usual case: every row in the first chunk
                # (typed as when an empty last chunk, whose text columns are objects, was appended:
                # a frame of no rows cost more than the rows of a small result)
                return _text_as_objects(chunks[0]), False
            if 0 < got <= cap:  # more rows (a row was taken): read again, a chunk at a time
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

    def remembered(self, name: str, read):
        """`read()`, kept until this process next writes the file: a value of the bookkeeping
        tables (the version) that every script run reads several times costs one query per write."""
        tick = _WRITTEN.get(self._file, 0)  # taken before reading: a write meanwhile reads again
        kept = self._remembered.get(name)
        if kept is not None and kept[0] == tick:
            return kept[1]
        value = read()
        self._remembered[name] = (tick, value)
        return value

    def created(self, name: str, kind: str, sql: str, params: list | dict | None = None) -> None:
        """`name` is (or was already) `CREATE <kind> name AS sql`: an engine keeping its own
        copy of derived tables builds it from the same SQL."""
        if self.engine is not None:
            self.engine.define(name, kind, sql, params)

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
            finally:  # after the commit (or rollback): what was remembered is read again, but
                # for a line of the audit log (nothing remembered reads it; every sign-in writes one)
                if not beside:
                    _WRITTEN[self._file] = next(_TICKS)

    def close(self) -> None:
        self._con.close()


def _text_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text columns as objects (missing text: NaN), as `astype(object)` gives
    them, column by column: `astype` of a frame concatenates its columns again, which cost more
    than a small result's own conversion (most of a page's statements return a few dozen rows)."""
    text = [c for c, t in zip(frame.columns, frame.dtypes, strict=True) if t == "str"]
    if not text:
        return frame
    out = frame.copy(deep=False)
    for c in text:  # (a Series typed `object`: a frame would read text in a plain array as text)
        values = out[c].array.to_numpy(dtype=object, na_value=np.nan)
        out[c] = pd.Series(values, index=out.index, dtype=object, copy=False)
    return out


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


class _Watchdog:
    """One thread that interrupts the queries past their deadline (a timer thread per query cost a
    thread start, and a wait for the GIL, on every query). It sleeps until the earliest deadline
    and is woken only by a query due before that."""

    def __init__(self) -> None:
        self._live: dict[int, tuple[float, object]] = {}  # ticket: (deadline, cursor)
        self._tickets = itertools.count()
        self._wake = threading.Condition()
        self._next = math.inf  # the deadline the thread sleeps until
        self._thread: threading.Thread | None = None

    def watch(self, cur, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        with self._wake:
            ticket = next(self._tickets)
            self._live[ticket] = (deadline, cur)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="insight-query-timeout", daemon=True)
                self._thread.start()
            if deadline < self._next:
                self._wake.notify()
            return ticket

    def done(self, ticket: int) -> None:
        with self._wake:
            self._live.pop(ticket, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for ticket in [t for t, (deadline, _) in self._live.items() if deadline <= now]:
                    self._live.pop(ticket)[1].interrupt()  # under the lock: the query is still running
                self._next = min((deadline for deadline, _ in self._live.values()), default=math.inf)
                self._wake.wait(None if self._next == math.inf else self._next - now)


_WATCHDOG = _Watchdog()


@contextmanager
def _time_limit(cur, timeout: float | None):
    """Interrupt the query on `cur` after `timeout` seconds (default: the setting) and turn
    DuckDB's errors into ours: a typed `QueryTimeout`, or an `InsightError`."""
    seconds = settings.query_timeout() if timeout is None else timeout
    ticket = _WATCHDOG.watch(cur, seconds) if seconds and seconds > 0 else None
    try:
        yield
    except duckdb.InterruptException:
        raise QueryTimeout(msg("error.timeout", seconds=f"{seconds:g}"), hint=msg("error.timeout.hint")) from None
    except duckdb.Error as exc:
        raise InsightError(msg("error.query", detail=str(exc).splitlines()[0])) from exc
    finally:
        if ticket is not None:
            _WATCHDOG.done(ticket)
