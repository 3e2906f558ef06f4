"""The Spark engine: the pages' queries, written for DuckDB, run on Apache Spark over the lake.

`INSIGHT_ENGINE=spark` (or `--engine spark`) attaches one to the workspace. The workspace keeps
its catalog (imports, users, saved views …) in DuckDB; every query that reads data (a published
version, a fact or a derived table) is sent here instead: transpiled by insight/db/spark_sql.py,
its parameters bound as literals, run on the Spark session and returned as pandas, typed as
DuckDB types its result.

Data versions are read from the lake (insight/db/lake.py; a version missing there is exported
on first use). Facts and derived tables (orders and tickets facts, segments, churn spells …) are
built on Spark from the same SQL the DuckDB side runs: insight/db/facts.py and the derived-table
helpers report each definition (`Workspace.created`), and Spark builds it the first time a query
reads it, with its own `rowid` (row order of the built table), and keeps it cached.

A local session (`local[*]`, `INSIGHT_SPARK_MASTER`) by default; `INSIGHT_SPARK_REMOTE=sc://host:15002`
reaches a cluster through Spark Connect.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from pathlib import Path

import pandas as pd

from insight import settings
from insight.db import foreign_lake, lake, spark_sql
from insight.db.schema import TABLE_NAMES
from insight.errors import InsightError
from insight.i18n import msg

_PHYSICAL = re.compile(rf"(?:{'|'.join(TABLE_NAMES)})__v\d+")
_QUOTED = re.compile(r'"((?:[^"]|"")+)"')
_DESCRIBE = re.compile(r"^\s*DESCRIBE\s+", re.IGNORECASE)
#: SQL settings that make Spark compute what DuckDB computes: NULL (not an error) for a bad cast
#: or a division by zero, UTC for timestamps without a zone, Arrow for the trip to pandas.
SQL_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    # Another tool's lake (insight/db/foreign_lake.py): nanosecond timestamps (pandas', which
    # Spark refuses) read as numbers and converted, Hive partition values read as written.
    "spark.sql.legacy.parquet.nanosAsLong": "true",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}

log = logging.getLogger(__name__)
_SESSION = None
_ENGINES = itertools.count(1)
_SESSION_LOCK = threading.Lock()


def session():
    """The process's Spark session: Spark Connect when `INSIGHT_SPARK_REMOTE` is set, else local."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            from pyspark.sql import SparkSession

            # A failed query is our InsightError (one line); pyspark would also log its JVM trace.
            logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
            remote = settings.spark_remote()
            if remote:
                _SESSION = connect(remote)
                return _SESSION
            builder = SparkSession.builder.appName("customer-insight").master(settings.spark_master())
            builder = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            builder = builder.config("spark.sql.shuffle.partitions", str(settings.SPARK_PARTITIONS))
            _SESSION = builder.getOrCreate()
            _SESSION.sparkContext.setLogLevel("ERROR")
            _configure(_SESSION)
        return _SESSION


def connect(url: str):
    """A Spark Connect session on the cluster at `url` (`sc://host:15002`), set up as ours."""
    from pyspark.sql.connect.session import SparkSession as RemoteSession

    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    remote = RemoteSession.builder.remote(url).create()
    _configure(remote)
    return remote


def _configure(spark) -> None:
    for key, value in SQL_CONF.items():
        spark.conf.set(key, value)


def attach(ws, spark=None) -> SparkEngine:
    """Send `ws`'s data queries to Spark (the given session, else the process's). The tables the
    lake (`INSIGHT_LAKE`) holds in another tool's layout become the workspace's current data, read
    in place (insight/db/foreign_lake.py `mount`)."""
    ws.engine = SparkEngine(ws, spark)
    foreign_lake.mount(ws, lake.root(ws))
    return ws.engine


class SparkEngine:
    name = "spark"

    def __init__(self, ws, spark=None) -> None:
        self.ws = ws
        self._spark = spark
        self._defs: dict[str, tuple[str, str, list | dict | None]] = {}
        self._ready: set[str] = set()
        #: Versions read in place from another tool's lake: their layout (None: not one).
        self._in_place: dict[str, foreign_lake.Layout | None] = {}
        self._lock = threading.RLock()
        #: Spark's temporary views are per session, and two workspaces may both have an
        #: `orders__v2`: each engine's views carry its own prefix.
        self._prefix = f"ws{next(_ENGINES)}_"

    @property
    def spark(self):
        if self._spark is None:
            self._spark = session()
        return self._spark

    # --- what the workspace asks ------------------------------------------------------------

    def reads(self, sql: str) -> bool:
        """Whether `sql` reads data (a version, fact or derived table: names always quoted)."""
        names = (m.replace('""', '"') for m in _QUOTED.findall(sql))
        return any(_PHYSICAL.fullmatch(n) or n in self._defs for n in names)

    def knows(self, name: str) -> bool:
        """Whether `name`'s definition was reported (`define`)."""
        return name in self._defs

    def define(self, name: str, kind: str, sql: str, params=None) -> None:
        """`name` is `CREATE <kind> name AS sql` on DuckDB; Spark builds it when first read."""
        with self._lock:
            if self._defs.get(name) != (kind, sql, params):
                self._defs[name] = (kind, sql, params)
                self._ready.discard(name)

    def mount(self, physical: str, layout: foreign_lake.Layout) -> None:
        """`physical` is read in place from `layout`'s files (its DuckDB table has no rows)."""
        with self._lock:
            self._in_place[physical] = layout
            self._ready.discard(physical)

    def reading(self, cur) -> _Reading:
        """`cur` (a DuckDB cursor) with its reads of versions read in place answered here."""
        return _Reading(self, cur)

    def fetch(self, sql: str, params=None, *, cap: int) -> tuple[pd.DataFrame, bool]:
        if _DESCRIBE.match(sql):
            return self._describe(_DESCRIBE.sub("", sql, count=1), params), False
        frame = self._run(sql, params, cap + 1)
        if spark_sql.ROWID in frame.columns and spark_sql.ROWID not in sql.lower():
            frame = frame.drop(columns=spark_sql.ROWID)  # the lake's own column, not asked for
        truncated = len(frame) > cap
        return (frame.iloc[:cap] if truncated else frame), truncated

    def scalar(self, sql: str, params=None):
        """The first value, as DuckDB's Python client gives it (a DATE as a `datetime.date`)."""
        rows = self._run(sql, params, 1, frame=False)
        return rows[0][0] if rows else None

    # --- internals ---------------------------------------------------------------------------

    def _run(self, sql: str, params, limit: int, *, frame: bool = True):
        from pyspark.errors import PySparkException

        try:
            df = self.spark.sql(self._prepare(sql, params))
            if not frame:
                return df.limit(limit).collect()
            return _duckdb_types(df, df.limit(limit).toPandas())
        except PySparkException as exc:
            log.debug("Spark failed on %s", sql, exc_info=True)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InsightError(msg("error.query", detail=detail)) from exc

    def _describe(self, sql: str, params) -> pd.DataFrame:
        """DuckDB's `DESCRIBE <query>`: each column's name and DuckDB type name."""
        from pyspark.errors import PySparkException

        try:
            fields = self.spark.sql(self._prepare(sql, params)).schema.fields
        except PySparkException as exc:
            raise InsightError(msg("error.query", detail=str(exc).strip().split("\n")[0])) from exc
        kept = [f for f in fields if f.name != spark_sql.ROWID or spark_sql.ROWID in sql.lower()]
        return pd.DataFrame(
            {
                "column_name": [f.name for f in kept],
                "column_type": [_duckdb_type(f.dataType.simpleString()) for f in kept],
                "null": ["YES" if f.nullable else "NO" for f in kept],
            }
        )

    def _prepare(self, sql: str, params) -> str:
        with self._lock:
            for name in spark_sql.tables(sql):
                self._register(name)
        return spark_sql.to_spark(sql, params, self._columns, self._view)

    def table(self, name: str):
        """The Spark DataFrame of a data version, fact or derived table, once a query has read it."""
        return self.spark.table(f"`{self._view(name)}`")

    def _view(self, name: str) -> str:
        return self._prefix + name

    def _columns(self, name: str) -> list[str]:
        return [c for c in self.table(name).columns if c != spark_sql.ROWID]

    def _register(self, name: str) -> None:
        if name in self._ready:
            return
        if _PHYSICAL.fullmatch(name):
            self._physical(name)
        elif name in self._defs:
            self._derived(name)
        else:  # a catalog table (DuckDB's own: row-scope values): small, copied afresh each time
            frame = self.ws.query(f'SELECT * FROM "{name}"')
            self.spark.createDataFrame(frame).createOrReplaceTempView(f"`{self._view(name)}`")
            return
        self._ready.add(name)

    def layout(self, name: str) -> foreign_lake.Layout | None:
        """The lake layout `name` (a data version) is read in place from, or None: it is ours."""
        if name not in self._in_place:
            folder = self.ws.scalar(
                "SELECT json_extract_string(report, '$.lake') FROM _imports WHERE physical = ? AND op = 'lake'", [name]
            )
            self._in_place[name] = foreign_lake.check(name.rsplit("__v", 1)[0], Path(folder)) if folder else None
        return self._in_place[name]

    def _physical(self, name: str) -> None:
        layout = self.layout(name)
        if layout is not None:
            _read_in_place(self.spark, layout).createOrReplaceTempView(f"`{self._view(name)}`")
            return
        folder = lake.folder(self.ws, name)
        if not lake.has(self.ws, name):
            if name not in self.ws._physical_tables():
                raise InsightError(msg("lake.missing", version=name, folder=str(folder)))
            lake.export(self.ws, name)
        df = self.spark.read.parquet(_uri(folder))
        if spark_sql.ROWID not in df.columns:  # another tool's Parquet where this version belongs
            raise InsightError(
                msg("lake.foreign", folder=str(folder), version=name), file=str(folder), hint=msg("lake.foreign.hint")
            )
        df.createOrReplaceTempView(f"`{self._view(name)}`")

    def _derived(self, name: str) -> None:
        kind, sql, params = self._defs[name]
        df = self.spark.sql(self._prepare(sql, params))
        if kind == "TABLE":  # a built table: its own row numbers in its own order, kept in memory
            # (an SQL expression, not pyspark.sql.functions: the same call for Connect sessions)
            df = df.drop(spark_sql.ROWID).selectExpr("*", f"monotonically_increasing_id() AS {spark_sql.ROWID}")
            df = df.localCheckpoint(eager=True)  # computed once: its row numbers never change
        df.createOrReplaceTempView(f"`{self._view(name)}`")


def _read_in_place(spark, layout: foreign_lake.Layout):
    """Another tool's table as the app reads it: canonical names and types, and `rowid` = the
    file's number (files sorted by path) × 2^40 + the row's position in its file."""
    # (Hadoop paths, not URIs: `region=East` stays as written)
    paths = [f"file://{p.resolve().as_posix()}" for p in (layout.folder, *layout.files)]
    raw = spark.read.option("basePath", paths[0]).parquet(*paths[1:])
    raw = raw.selectExpr("*", "_metadata.file_path AS `__file`", "_metadata.row_index AS `__row`")
    # The files' numbers, listed once (as Spark names them), joined to every read of the table.
    named = sorted(r[0] for r in raw.select("__file").distinct().collect())
    numbers = spark.createDataFrame([(f, n) for n, f in enumerate(named)], "`__file` STRING, `__n` BIGINT")
    rows = raw.join(numbers.hint("broadcast"), "__file")
    rowid = f"CAST(`__n` * {1 << foreign_lake.FILE_BITS} + `__row` AS BIGINT) AS {spark_sql.ROWID}"
    return rows.selectExpr(*(f.spark_sql() for f in layout.fields), rowid)


class _Reading:
    """A DuckDB cursor whose reads (SELECT) of versions read in place are run on Spark: their
    DuckDB tables hold no rows, so a fact's definition that depends on the data (insight/db/facts.py:
    whether order ids repeat) is decided on the lake's rows."""

    def __init__(self, engine: SparkEngine, cur) -> None:
        self._engine, self._cur, self._rows = engine, cur, None

    def execute(self, sql: str, params=None):
        names = (m.replace('""', '"') for m in _QUOTED.findall(sql))
        reads = sql.lstrip().upper().startswith(("SELECT", "WITH"))
        if reads and any(_PHYSICAL.fullmatch(n) and self._engine.layout(n) for n in names):
            self._rows = [tuple(r) for r in self._engine._run(sql, params, settings.ROW_CAP, frame=False)]
            return self
        self._rows = None
        return self._cur.execute(sql, params or [])

    def fetchone(self):
        if self._rows is None:
            return self._cur.fetchone()
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return self._cur.fetchall() if self._rows is None else list(self._rows)


#: Spark's type names as DuckDB's (what `DESCRIBE` answers); a decimal keeps its precision.
_TYPE_NAMES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
}


def _duckdb_type(spark_type: str) -> str:
    return _TYPE_NAMES.get(spark_type, spark_type.upper())


def _uri(folder: Path) -> str:
    return folder.resolve().as_uri()


def _duckdb_types(df, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as DuckDB would type it: dates as datetime64, decimals as floats, integers and
    booleans with NULLs as pandas' nullable types."""
    from pyspark.sql import types as T

    for field in df.schema.fields:
        col, kind = field.name, field.dataType
        if col not in frame.columns:
            continue
        if isinstance(kind, T.DateType | T.TimestampType | T.TimestampNTZType):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
        elif isinstance(kind, T.DecimalType):
            frame[col] = frame[col].astype("float64")
        elif isinstance(kind, T.IntegralType) and frame[col].isna().any():
            frame[col] = frame[col].astype("Int64")
        elif isinstance(kind, T.BooleanType) and frame[col].isna().any():
            frame[col] = frame[col].astype("boolean")
    return frame
