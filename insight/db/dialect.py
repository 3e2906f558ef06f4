"""Every engine-specific SQL construct, in one place (SPEC §9): this is the DuckDB dialect.

Everything else in `insight/` writes engine-neutral SQL (that sqlglot transpiles) and asks this
module for what engines spell differently. A second engine (Spark, issue 18) adds a twin of this
module with the same functions; each is small and named by what it means, not by its syntax.

Arguments are SQL expressions (already quoted where they are identifiers); numbers are checked to
be numbers, since some of them end up inside the SQL text.

What stays DuckDB by nature, outside this module, and why:
- `insight/ingest/`: a file is read with DuckDB's own readers (`read_csv`, `read_json_auto`,
  `read_parquet`), staged and typed in DuckDB temp tables (`TRY_CAST`, `regexp_*`, `* EXCLUDE`,
  `CREATE OR REPLACE TEMP TABLE`) on the workspace's connection, then published. Whatever engine
  reads the pages, importing happens in the workspace file, so this SQL never meets another engine.
- `insight/db/lake.py` writes the Parquet lake Spark reads (`COPY … TO … (FORMAT parquet)`).
- The workspace file's own bookkeeping (insight/db/catalog.py; the people, sessions and audit log
  of insight/auth; saved views, schedules, deliveries and alerts of insight/reports; annotations)
  lives only in the DuckDB file: its SQL is plain (`RETURNING` and `ON CONFLICT` as in
  PostgreSQL and SQLite) and runs on the workspace connection, never on the engine. The file's
  catalog is listed through `stored` and `stored_columns` below (insight/db/facts.py still reads
  `duckdb_tables()` itself).
"""

from __future__ import annotations

#: The engine these functions speak (sqlglot's name for it).
NAME = "duckdb"
#: Time buckets the product groups by.
GRAINS = ("hour", "day", "week", "month", "quarter", "year")


# --- aggregates ------------------------------------------------------------------------------


def distinct_count(col: str, condition: str = "true", top: int | None = None) -> str:
    """Exact number of distinct non-null values of `col` among the rows where `condition` holds.

    With `top` (the largest value of a dense positive integer key, e.g. the fact's `_cust`), a
    bitmap of the keys (`bitstring_agg`) counts several times faster than a hashed count(DISTINCT).
    """
    if not top:
        return f"count(DISTINCT {col}) FILTER (WHERE {condition})"
    bitmap = f"bitstring_agg({col}, 1, {int(top)}) FILTER (WHERE {col} IS NOT NULL AND {condition})"
    return f"coalesce(bit_count({bitmap}), 0)"


def key_set(col: str, top: int | None = None) -> str:
    """An aggregate holding the set of the keys `col` (a bitmap for a dense integer key up to `top`),
    for `in_key_set`."""
    return f"bitstring_agg({col}, 1, {int(top)})" if top else f"list(DISTINCT {col})"


def in_key_set(key_set_sql: str, col: str, top: int | None = None) -> str:
    """Whether the key `col` is in a set made by `key_set` (same `top`)."""
    if top:
        return f"({col} IS NOT NULL AND get_bit({key_set_sql}, CAST({col} - 1 AS INTEGER)) = 1)"
    return f"list_contains({key_set_sql}, {col})"


def last_by(value: str, order: str) -> str:
    """`value` of the row with the largest `order` (within the group), among the rows where both
    are not NULL; rows tied on `order` are told apart by `value` itself (the largest wins), so the
    answer never depends on row order and every engine gives the same one."""
    return f"arg_max({value}, {_tie_key(value, order)})"


def first_by(value: str, order: str) -> str:
    """`value` of the row with the smallest `order` (within the group), among the rows where both
    are not NULL; ties on `order` go to the smallest `value` (as `last_by`)."""
    return f"arg_min({value}, {_tie_key(value, order)})"


def _tie_key(value: str, order: str) -> str:
    """(order, value) as one ordering key; NULL (so the row is skipped) where either is NULL.
    sqlglot writes it as Spark's `STRUCT(...)`, which Spark's `max_by`/`min_by` order alike."""
    return f"CASE WHEN ({order}) IS NOT NULL AND ({value}) IS NOT NULL THEN {{'o': {order}, 'v': {value}}} END"


def any_of(value: str) -> str:
    """Any one value of the group (for a value the group holds constant)."""
    return f"any_value({value})"


def most_frequent(col: str, condition: str = "true") -> str:
    """The value of `col` most rows (where `condition` holds) have, ties to the first by value
    (`mode()` breaks ties arbitrarily, so the answer could change between runs)."""
    counts = f"map_entries(histogram({col}) FILTER (WHERE {condition}))"
    return f"list_sort(list_transform({counts}, lambda e: struct_pack(n := -CAST(e.value AS BIGINT), k := e.key)))[1].k"


# --- dates and times -------------------------------------------------------------------------


def trunc(grain: str, col: str) -> str:
    """The start of the hour (a timestamp), or of the day, week (Monday), month, quarter or year
    (a date) that `col` falls in."""
    if grain not in GRAINS:
        raise ValueError(f"grain={grain!r} should be one of {GRAINS}")
    if grain == "hour":
        return f"date_trunc('hour', {col})"
    return f"CAST(date_trunc('{grain}', {col}) AS DATE)"


def as_date(expr: str) -> str:
    return f"CAST({expr} AS DATE)"


def as_number(expr: str) -> str:
    """`expr` as a DOUBLE, NULL where it is not a number (text such as "n/a")."""
    return f"TRY_CAST({expr} AS DOUBLE)"


def plus_days(day: str, days: int | str) -> str:
    """The date `days` (a whole number, or an integer SQL expression) after the date `day`."""
    return f"({day} + {int(days) if isinstance(days, int) else days})"


def plus_days_time(ts: str, days: int | str) -> str:
    """The timestamp `days` (a whole number, or an integer SQL expression) after `ts` (a date or a
    timestamp)."""
    return f"({ts} + INTERVAL ({int(days) if isinstance(days, int) else days}) DAY)"


def plus_hours(ts: str, hours: str | float) -> str:
    """A timestamp `hours` (a number, or a numeric SQL expression; fractions allowed) after `ts`."""
    hours = repr(float(hours)) if isinstance(hours, int | float) else hours
    return f"{ts} + to_microseconds(CAST(({hours}) * 3600e6 AS BIGINT))"


def days_between(start: str, end: str) -> str:
    """Whole days from `start` to `end` (calendar days between their dates)."""
    return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"


def months_between(start: str, end: str) -> str:
    """Month boundaries crossed from `start` to `end` (January 31 to February 1 is 1)."""
    return f"date_diff('month', {start}, {end})"


def hours_between(start: str, end: str, unit: str = "second") -> str:
    """Hours (with fractions, to the `unit`: second or minute) from timestamp `start` to `end`."""
    per = {"second": 3600.0, "minute": 60.0}[unit]
    return f"(date_diff('{unit}', {start}, {end}) / {per})"


def date_rows(param: str = "?", alias: str = "m") -> str:
    """A SELECT with one row per date of a bound list of dates (`param`), the column `alias`."""
    return f"SELECT unnest(CAST({param} AS DATE[])) AS {alias}"


def plus_month(date: str) -> str:
    """The same day a month later."""
    return f"({date} + INTERVAL 1 MONTH)"


# --- statements ------------------------------------------------------------------------------


def star_except(alias: str, columns: list[str] | tuple[str, ...], replaced: dict[str, str] | None = None) -> str:
    """Every column of `alias` but `columns` (already quoted), in their order; `replaced` maps a
    kept column (quoted) to the expression shown in its place."""
    star = f"{alias}.* EXCLUDE ({', '.join(columns)})" if columns else f"{alias}.*"
    if replaced:
        star += f" REPLACE ({', '.join(f'{expr} AS {col}' for col, expr in replaced.items())})"
    return star


def group_all() -> str:
    """GROUP BY every selected column that is not an aggregate."""
    return "GROUP BY ALL"


def materialized() -> str:
    """After `name AS` in a WITH clause: computed once however often the query reads it."""
    return "MATERIALIZED "


#: The widest dense key range (in bits) a grouping may index directly: 2^20 groups, about 100 MB of
#: aggregate states per thread at most.
DENSE_GROUP_BITS = 20


def dense_grouping(top: int | None) -> dict[str, int]:
    """Session settings for a statement grouping by a dense positive integer key of at most `top`
    (the fact's `_cust`): the engine then indexes an array by the key instead of hashing it (DuckDB's
    perfect hash aggregate), where the key range is small enough (else nothing changes)."""
    bits = (top + 1).bit_length() if top else 0  # (one more slot: a NULL key)
    return {"perfect_ht_threshold": bits} if 0 < bits <= DENSE_GROUP_BITS else {}


def named(name: str) -> str:
    """A named parameter (bound from a dict)."""
    if not name.isidentifier():
        raise ValueError(f"name={name!r} should be an identifier")
    return f"${name}"


def stored(kind: str, like: str) -> str:
    """SELECT of the names of the workspace file's own tables (`kind` "table") or views ("view")
    whose names match the LIKE pattern `like` (`\\` escapes), temporary ones left out."""
    if kind not in ("table", "view"):
        raise ValueError(f"kind={kind!r} should be 'table' or 'view'")
    return (
        f"SELECT {kind}_name AS name FROM duckdb_{kind}s() WHERE NOT temporary "
        f"AND {kind}_name LIKE {literal(like)} ESCAPE '\\'"
    )


def stored_columns() -> str:
    """SELECT of the column names, in order, of the workspace file's table named by the one parameter."""
    return (
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index"
    )


def row_id(alias: str = "t") -> str:
    """A row's physical position in its table (tables only, not views)."""
    return f"{alias}.rowid"


def sample_key(col: str) -> str:
    """A key that orders rows in a fixed pseudo-random order: `ORDER BY sample_key(id), id LIMIT n`
    keeps the same n rows on every run and on every engine (an MD5 of the text of `col`, which
    DuckDB and Spark compute alike; their own `hash` functions differ)."""
    return f"md5(CAST({col} AS VARCHAR))"


def percentile(col: str, fraction: float) -> str:
    """The `fraction` quantile of `col`, interpolated between neighbouring values."""
    return f"quantile_cont({col}, {float(fraction)!r})"


def literal(value: str) -> str:
    """A string constant (quotes escaped by sqlglot), for the few values that cannot be bound."""
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError(f"value={value!r} should be text without NUL")
    import sqlglot  # only where a row scope is in force

    return sqlglot.exp.Literal.string(value).sql(dialect=NAME)
