"""Derived tables that keep page queries fast: one fact per event table and data version.

A fact is the event table (orders or tickets) joined to its customer's segment and region
(the event's own value wins), sorted by event time so a period filter skips whole row groups,
with precomputed columns the metrics use:

- orders: `_cust` (an integer customer key, for fast distinct counts), `_valid` (counts in
  revenue: not cancelled or returned), `_day`;
- tickets: `_due` (the deadline under the default SLA hours).

A fact is named after the versions it comes from, built at import (or on first use), and
dropped with them. Queries on `orders` and `tickets` read the fact (see `Scope.open`).
"""

from __future__ import annotations

import re

from insight.workspace import Snapshot, Workspace, quote

FACT_TABLES = {"orders": "order_date", "tickets": "created_at"}
#: Derived from the orders fact: each customer with each channel they ordered through.
CUSTOMER_CHANNELS = "customer_channels"
#: Derived from the orders fact: revenue and order counts per day × these dimensions, for the
#: additive measures when the filters and splits use nothing else.
ORDERS_ROLLUP = "orders_rollup"
ROLLUP_DIMS = ("channel", "region", "segment")
DERIVED = (CUSTOMER_CHANNELS, ORDERS_ROLLUP)
#: Customer attributes copied onto each event, so filters on them need no join. (The value tier
#: is computed per period: see insight/segments.py.)
CUSTOMER_DIMS = ("segment", "region")
#: Bumped whenever a fact's columns change, so an upgraded app never reads an older fact.
FACT_SCHEMA = 8
_NAME = re.compile(r"_fact_(orders|tickets|customer_channels|orders_rollup)_v(\d+)_c(\d+)_s(\d+)(?:_r[0-9a-z]+)?")
_LIST_SQL = "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name LIKE '\\_fact\\_%' ESCAPE '\\'"


def refresh(ws: Workspace) -> None:
    """After an import or a deletion: build the current facts and drop the ones nothing uses."""
    snap = ws.snapshot()
    for table in (*FACT_TABLES, *DERIVED):
        ensure_fact(ws, snap, table)
    with ws.writer() as cur:
        _drop_stale(cur, ws)


def _version(physical: str | None) -> int:
    return int(physical.rsplit("__v", 1)[1]) if physical else 0


def fact_name(snap: Snapshot, table: str) -> str | None:
    """`_fact_<table>_v<its version>_c<customers version, or 0>_s<fact schema>`, and
    `_r<row scope>` for a snapshot restricted to a user's rows (insight/access.py)."""
    source = "orders" if table in DERIVED else table
    if not snap.has(source):
        return None
    customers = _version(snap.tables.get("customers"))
    scoped = f"_r{snap.rows}" if snap.rows else ""
    return f"_fact_{table}_v{_version(snap.tables[source])}_c{customers}_s{FACT_SCHEMA}{scoped}"


def ensure_fact(ws: Workspace, snap: Snapshot, table: str) -> str | None:
    """The fact of `table` for this snapshot, built if it does not exist yet."""
    name = fact_name(snap, table)
    if name is None:
        return None
    if name in ws._facts:
        return name
    if table == CUSTOMER_CHANNELS:
        orders = ensure_fact(ws, snap, "orders")
        cols = {c.lower() for c in ws.columns("orders", snap)}
        if not {"customer_id", "channel"} <= cols:
            return None
        sql = (
            f"SELECT DISTINCT customer_id, channel FROM {quote(orders)} "
            "WHERE _valid AND customer_id IS NOT NULL ORDER BY channel, customer_id"
        )
    elif table == ORDERS_ROLLUP:
        orders = ensure_fact(ws, snap, "orders")
        cols = {c.lower() for c in ws.columns("orders", snap)} | set(CUSTOMER_DIMS)
        dims = [d for d in ROLLUP_DIMS if d in cols and d in _fact_columns(ws, orders)]
        keys = ", ".join(["_day AS order_date", *dims])
        sql = (
            f"SELECT {keys}, sum(amount) FILTER (WHERE _valid) AS revenue, "
            f"count(*) FILTER (WHERE _valid AND _order_first) AS orders "
            f"FROM {quote(orders)} GROUP BY ALL ORDER BY order_date"
        )
    else:
        sql = _fact_sql(ws, snap, table)
    with ws.writer() as cur:
        if name not in {r[0] for r in cur.execute(_LIST_SQL).fetchall()}:
            cur.execute(f"CREATE TABLE {quote(name)} AS {sql}")
    ws._facts.add(name)
    return name


def _fact_sql(ws: Workspace, snap: Snapshot, table: str) -> str:
    cols = ws.columns(table, snap)
    lower = {c.lower() for c in cols}
    cust_cols = {c.lower(): c for c in ws.columns("customers", snap)} if snap.has("customers") else {}
    join, extra, replaced = "", [], []
    if cust_cols and "customer_id" in lower:
        join = f"LEFT JOIN {snap['customers']} c ON c.customer_id = e.customer_id"
        for dim in CUSTOMER_DIMS:
            if dim not in cust_cols:
                continue
            if dim in lower:  # the event's own value wins; the customer's fills the gaps
                replaced.append(dim)
                extra.append(f"coalesce(e.{quote(dim)}, c.{quote(cust_cols[dim])}) AS {quote(dim)}")
            else:
                extra.append(f"c.{quote(cust_cols[dim])} AS {quote(dim)}")
    base = f"e.* EXCLUDE ({', '.join(quote(d) for d in replaced)})" if replaced else "e.*"
    time_col = FACT_TABLES[table]
    if table == "orders":
        cust = (
            "CASE WHEN e.customer_id IS NOT NULL THEN dense_rank() OVER (ORDER BY e.customer_id) END"
            if "customer_id" in lower
            else "CAST(NULL AS BIGINT)"
        )
        valid = "coalesce(e.status, '') NOT IN ('cancelled', 'returned')"
        # One line per order is its "first" (a counted line where there is one), so counting
        # orders is a plain count, additive over any grouping, instead of a distinct count.
        first_line = (
            f"e.order_id IS NULL OR row_number() OVER (PARTITION BY e.order_id ORDER BY {valid} DESC) = 1"
            if "order_id" in lower
            else "true"
        )
        extra += [
            f"CAST(e.{time_col} AS DATE) AS _day",
            f"{valid} AS _valid",
            f"{cust} AS _cust",
            f"{first_line} AS _order_first",
        ]
        if "channel" in lower:  # a small integer per channel: per-customer arg_max is ~4x faster on it
            join += (
                f" LEFT JOIN (SELECT channel AS _ch, row_number() OVER (ORDER BY channel) AS _channel_code "
                f"FROM (SELECT DISTINCT channel FROM {snap[table]} WHERE channel IS NOT NULL)) k "
                "ON k._ch = e.channel"
            )
            extra.append("k._channel_code")
        # Each customer's first counted order (time and channel), over all history.
        first = "min(CASE WHEN _valid THEN {col} END) OVER (PARTITION BY _cust)"
        sql = f"SELECT {', '.join([base, *extra])} FROM {snap[table]} e {join}"

        def first_of(col: str) -> str:
            when = "CASE WHEN _valid THEN {} END"
            return f"arg_min({when.format(col)}, {when.format('order_date')}) OVER (PARTITION BY _cust)"

        channel, code = (first_of("channel"), first_of("_channel_code")) if "channel" in lower else ("NULL", "NULL")
        return (
            f"SELECT *, CASE WHEN _cust IS NOT NULL THEN {first.format(col='order_date')} END AS _first_at, "
            f"CASE WHEN _cust IS NOT NULL THEN {channel} END AS _first_channel, "
            f"CASE WHEN _cust IS NOT NULL THEN {code} END AS _first_channel_code "
            f"FROM ({sql}) ORDER BY {quote(time_col)}"
        )
    else:
        from insight.metrics import due_sql  # metrics reads facts' columns; the SQL lives there

        extra.append(f"{due_sql(set(lower), alias='e', precomputed=False)} AS _due")
    return f"SELECT {', '.join([base, *extra])} FROM {snap[table]} e {join} ORDER BY e.{quote(time_col)}"


def channel_names(ws: Workspace, fact: str) -> dict[int, str]:
    """The orders fact's channel codes and their names (cached: facts never change)."""
    key = f"{fact}:channels"
    if key not in ws._facts_meta:
        rows = ws.query(f"SELECT DISTINCT _channel_code, channel FROM {quote(fact)} WHERE _channel_code IS NOT NULL")
        ws._facts_meta[key] = dict(zip(rows["_channel_code"].astype(int), rows["channel"], strict=True))
    return ws._facts_meta[key]


def _fact_columns(ws: Workspace, fact: str) -> set[str]:
    return set(ws.query("SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [fact])["column_name"])


def customer_keys(ws: Workspace, fact: str) -> int:
    """The largest customer key of an orders fact (facts never change, so it is cached)."""
    cache = ws._facts_meta
    if fact not in cache:
        cache[fact] = int(ws.scalar(f"SELECT coalesce(max(_cust), 0) FROM {quote(fact)}"))
    return cache[fact]


def _drop_stale(cur, ws: Workspace) -> None:
    """Drop facts (and row-scope views) whose source versions are gone."""
    from insight.access import drop_stale

    tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    drop_stale(cur, ws, tables)
    for name in [t for t in tables if t.startswith("_fact_")]:
        match = _NAME.fullmatch(name)
        if match is None:  # an older naming scheme: nothing reads it any more
            cur.execute(f"DROP TABLE {quote(name)}")
            continue
        table, version, customers, schema = match.group(1), *map(int, match.groups()[1:])
        source = "orders" if table in DERIVED else table
        gone = f"{source}__v{version}" not in tables or (customers and f"customers__v{customers}" not in tables)
        if gone or schema != FACT_SCHEMA:
            cur.execute(f"DROP TABLE {quote(name)}")
            ws._facts.discard(name)


def derived_table(
    ws: Workspace, family: str, schema: int, source: str, key: str, sql: str, params, keep: int = 24
) -> str:
    """A table computed from the fact `source` (`CREATE TABLE … AS sql`), built on first use and
    reused after: `_{family}{schema}{source}_{key}`, where `key` (no underscores) names the
    settings. Tables of the family are dropped when their source fact is gone or their schema is
    not `schema` (bump it whenever `sql` changes), and at most `keep` are kept, oldest first."""
    prefix = f"_{family}{schema}"
    name = f"{prefix}{source}_{key}"
    if name in ws._facts:
        return name
    order = ws._facts_meta.setdefault(f"_{family}_order", [])
    with ws.writer() as cur:
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
        if name not in tables:
            cur.execute(f"CREATE TABLE {quote(name)} AS {sql}", params)
        mine = [t for t in tables if t.startswith(f"_{family}") and t != name]
        stale = [
            t
            for t in mine
            if not t.startswith(f"{prefix}_fact_") or t.removeprefix(prefix).rsplit("_", 1)[0] not in tables
        ]
        rest = sorted((t for t in mine if t not in stale), key=lambda t: order.index(t) if t in order else -1)
        for t in stale + rest[: max(0, len(rest) + 1 - keep)]:
            cur.execute(f"DROP TABLE IF EXISTS {quote(t)}")
            ws._facts.discard(t)
    ws._facts.add(name)
    order.append(name)
    return name
