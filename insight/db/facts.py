"""Derived tables that keep page queries fast: one fact per event table and data version.

A fact is the event table (orders or tickets) joined to its customer's segment and region
(the event's own value wins), sorted by event time so a period filter skips whole row groups,
with precomputed columns the metrics use:

- orders: `_cust` (an integer customer key, for fast distinct counts), `_valid` (counts in
  revenue: not cancelled or returned), `_day`, and per counted order its customer's previous
  counted order day `_prev_day` and last one `_last_day` (churn spells are a filter on them);
- tickets: `_due` (the deadline under the default SLA hours).

An import publishes orders with these columns, and their customers' segment and region, already
computed: the orders fact is then a view of the version itself (see DIM_PREFIX).

A fact is named after the versions it comes from, built when the data changes (at import, or by
the named step `refresh`), and dropped with them. Reads never build one: queries on `orders` and
`tickets` read the fact (see `Scope.open`). Tables computed per read settings (a period's
segments) live in memory (`derived_table`).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable

from insight.db import dialect
from insight.db.workspace import Snapshot, Workspace, quote

FACT_TABLES = {"orders": "order_date", "tickets": "created_at"}
#: Derived from the orders fact: each customer with each channel they ordered through.
CUSTOMER_CHANNELS = "customer_channels"
#: Derived from the orders fact: revenue and order counts per day × these dimensions, for the
#: additive measures when the filters and splits use nothing else.
ORDERS_ROLLUP = "orders_rollup"
ROLLUP_DIMS = ("channel", "region", "segment")
#: Derived from the orders fact: its rows that are their customer's first counted order (every
#: column), which is all that acquisition reads, whatever the filters.
FIRST_ORDERS = "first_orders"
DERIVED = (CUSTOMER_CHANNELS, ORDERS_ROLLUP, FIRST_ORDERS)
#: Customer attributes copied onto each event, so filters on them need no join. (The value tier
#: is computed per period: see insight/domain/segments.py.)
CUSTOMER_DIMS = ("segment", "region")
#: Bumped whenever a fact's columns change, so an upgraded app never reads an older fact.
FACT_SCHEMA = 11
_NAME = re.compile(r"_fact_(orders|tickets|customer_channels|orders_rollup|first_orders)_v(\d+)_c(\d+)_s(\d+)")
_FACTS_LIKE = "\\_fact\\_%"
_LIST_SQL = f"{dialect.stored('table', _FACTS_LIKE)} UNION ALL {dialect.stored('view', _FACTS_LIKE)}"
#: The customer-independent columns of the orders fact. An import publishes orders with them
#: already computed (and ORDERS_MARK, naming the fact schema they follow), so where no customer
#: attribute is to be joined the fact is a view of the version itself: one write per import.
ORDER_INTERNALS = ("_channel_code", "_cust", "_first_at", "_first_channel", "_first_channel_code", "_day", "_valid")
ORDER_INTERNALS += ("_order_first", "_prev_day", "_last_day")
_BUILDING = threading.Lock()  # one derived table built at a time (see derived_table)
ORDERS_MARK = f"_fact_s{FACT_SCHEMA}"
_ANY_MARK = re.compile(r"_fact_s\d+")  # the mark of any schema (a version an older app published)
#: An orders version published while customers are in force carries their CUSTOMER_DIMS as
#: `_dim_<dim>` (joined in as it is published; the order's own value wins) and a mark naming the
#: customers version they come from (`dims_mark`): while that version is in force the fact is a
#: view of the orders version, so an import writes every row once (the fact's copy of every row
#: was a third of an append's work). Another customers version makes the fact a table again.
DIM_PREFIX, DIMS_MARK_PREFIX = "_dim_", "_dims_c"


def dims_mark(snap: Snapshot) -> str:
    return f"{DIMS_MARK_PREFIX}{_version(snap.tables.get('customers'))}"


def internal(column: str) -> bool:
    """Whether an orders version's column is one its import computed (computed again when its rows
    are published again)."""
    marked = _ANY_MARK.fullmatch(column) is not None
    return column in ORDER_INTERNALS or marked or column.startswith((DIM_PREFIX, DIMS_MARK_PREFIX))


def refresh(ws: Workspace) -> None:
    """The named build step for facts outside an import: build the facts of every version the
    workspace still holds where they are missing (an app upgraded to a new FACT_SCHEMA) and drop
    stale ones, in one transaction. Nothing is written when all are in place. Reads never build
    (`Scope.open` reads what the import and this step built)."""
    versions = sorted({int(v) for v in ws.history()["version"]} | {ws.version()})
    snaps = {tuple(sorted(ws.snapshot(v).tables.items())) for v in versions}
    wanted = {n for tables in snaps for t in (*FACT_TABLES, *DERIVED) if (n := fact_name(Snapshot(0, dict(tables)), t))}
    existing = set(ws.query(_LIST_SQL)["name"])
    stale = {n for n in existing if (m := _NAME.fullmatch(n)) is None or int(m.group(4)) != FACT_SCHEMA}
    if wanted <= existing and not stale:
        ws._facts |= wanted
        return
    with ws.writer() as cur:
        for tables in snaps:
            build(ws, cur, dict(tables))


def build(ws: Workspace, cur, tables: dict[str, str]) -> None:
    """On the caller's cursor, inside its transaction: build the facts and derived tables of the
    tables in force (`{canonical: physical}`, which may not be committed yet) and drop stale ones.
    A version is published together with everything its pages read, or not at all."""
    snap = Snapshot(0, dict(tables))
    stored = functools.cache(lambda physical: _table_columns(cur, physical))  # (asked once per table)

    def cols(table: str) -> list[str]:
        return stored(snap.tables[table]) if snap.has(table) else []

    existing = {r[0] for r in cur.execute(_LIST_SQL).fetchall()}
    for table in (*FACT_TABLES, *DERIVED):
        name = fact_name(snap, table)
        if name is None or name in existing:
            continue
        made = _sql(_reading(ws, cur), snap, table, cols, lambda t: fact_name(snap, t), lambda f: set(stored(f)))
        if made is not None:
            cur.execute(f"CREATE {made[0]} {quote(name)} AS {made[1]}")
            ws.created(name, *made)
            existing.add(name)
    _drop_stale(cur, ws)


def _reading(ws: Workspace, cur):
    """The cursor a definition's look at the data runs on: the engine's, where it alone holds the
    rows (a lake read in place, insight/db/foreign_lake.py)."""
    return cur if ws.engine is None else ws.engine.reading(cur)


def _version(physical: str | None) -> int:
    return int(physical.rsplit("__v", 1)[1]) if physical else 0


def fact_name(snap: Snapshot, table: str) -> str | None:
    """`_fact_<table>_v<its version>_c<customers version, or 0>_s<fact schema>`."""
    source = "orders" if table in DERIVED else table
    if not snap.has(source):
        return None
    customers = _version(snap.tables.get("customers"))
    return f"_fact_{table}_v{_version(snap.tables[source])}_c{customers}_s{FACT_SCHEMA}"


def built(ws: Workspace, snap: Snapshot, table: str) -> str | None:
    """The fact of `table` for this snapshot when it has been built (at import, or by `refresh`),
    else None. Never builds: a read does not write."""
    name = fact_name(snap, table)
    if name is None:
        return None
    if name not in ws._facts:
        if not ws.scalar(f"SELECT count(*) FROM ({_LIST_SQL}) WHERE name = ?", [name]):
            return None
        ws._facts.add(name)
    if ws.engine is not None and not ws.engine.knows(name):  # built before the engine came
        _define(ws, snap, table)
    return name


def _define(ws: Workspace, snap: Snapshot, table: str) -> None:
    """Report an existing fact's definition (`Workspace.created`), and the orders fact's first
    when it is derived from it, so another engine builds the same table."""
    if table in DERIVED:
        built(ws, snap, "orders")
    with ws.cursor() as cur:
        made = _sql(
            _reading(ws, cur),
            snap,
            table,
            lambda t: ws.columns(t, snap),
            lambda t: fact_name(snap, t),
            lambda f: set(_table_columns(cur, f)),
        )
    if made is not None:
        ws.created(fact_name(snap, table), *made)


def _sql(cur, snap: Snapshot, table: str, cols, fact_of, fact_cols) -> tuple[str, str] | None:
    """(TABLE or VIEW, its SQL) of one fact or derived table; `cols(table)` lists a canonical
    table's columns."""
    if table == CUSTOMER_CHANNELS:
        if not {"customer_id", "channel"} <= {c.lower() for c in cols("orders")}:
            return None
        return "TABLE", (
            f"SELECT DISTINCT customer_id, channel FROM {quote(fact_of('orders'))} "
            "WHERE _valid AND customer_id IS NOT NULL ORDER BY channel, customer_id"
        )
    if table == ORDERS_ROLLUP:
        orders = fact_of("orders")
        available = {c.lower() for c in cols("orders")} | set(CUSTOMER_DIMS)
        dims = [d for d in ROLLUP_DIMS if d in available and d in fact_cols(orders)]
        keys = ", ".join(["_day AS order_date", *dims])
        return "TABLE", (
            f"SELECT {keys}, sum(amount) FILTER (WHERE _valid) AS revenue, "
            f"count(*) FILTER (WHERE _valid AND _order_first) AS orders "
            f"FROM {quote(orders)} {dialect.group_all()} ORDER BY order_date"
        )
    if table == FIRST_ORDERS:
        if "customer_id" not in {c.lower() for c in cols("orders")}:
            return None
        return "TABLE", (
            f"SELECT * FROM {quote(fact_of('orders'))} WHERE _valid AND _cust IS NOT NULL AND order_date = _first_at "
            "ORDER BY order_date"
        )
    return _fact_sql(cur, snap, table, cols)


def _customer_join(snap: Snapshot, lower: set[str], cust_cols: dict[str, str], name=lambda dim: dim):
    """(join, columns, replaced): the join of the event rows `e` (of columns `lower`) to their
    customer, the CUSTOMER_DIMS it copies onto them (`name(dim)` naming each), and the event's own
    columns among them (the event's own value wins; the customer's fills the gaps)."""
    join, extra, replaced = "", [], []
    if cust_cols and "customer_id" in lower:
        join = f"LEFT JOIN {snap['customers']} c ON c.customer_id = e.customer_id"
        for dim in CUSTOMER_DIMS:
            if dim not in cust_cols:
                continue
            if dim in lower:
                replaced.append(dim)
                extra.append(f"coalesce(e.{quote(dim)}, c.{quote(cust_cols[dim])}) AS {quote(name(dim))}")
            else:
                extra.append(f"c.{quote(cust_cols[dim])} AS {quote(name(dim))}")
    return join, extra, replaced


def _fact_sql(cur, snap: Snapshot, table: str, cols) -> tuple[str, str]:
    all_cols = cols(table)
    lower = {c.lower() for c in all_cols}
    join, extra, replaced = _customer_join(snap, lower, {c.lower(): c for c in cols("customers")})
    time_col = FACT_TABLES[table]
    if table != "orders":
        from insight.semantic.metrics import due_sql  # metrics reads facts' columns; the SQL lives there

        base = dialect.star_except("e", [quote(d) for d in replaced])
        extra.append(f"{due_sql(set(lower), alias='e', precomputed=False)} AS _due")
        return "TABLE", f"SELECT {', '.join([base, *extra])} FROM {snap[table]} e {join} {_in_order(time_col)}"
    source = snap[table]
    if ORDERS_MARK in lower:  # published with its own columns: join customers only
        carried = [c for c in all_cols if c.startswith((DIM_PREFIX, DIMS_MARK_PREFIX))]
        if not extra or dims_mark(snap) in lower:  # a view (rowid passed through: queries break ties by it)
            hidden, dims = carried, []
            if extra:  # the customer attributes the version carries, under their own names
                hidden = [*replaced, *carried]
                dims = [f"{quote(c)} AS {quote(c[len(DIM_PREFIX) :])}" for c in carried if c.startswith(DIM_PREFIX)]
            base = dialect.star_except(source, [quote(c) for c in hidden])
            return "VIEW", f"SELECT {', '.join([f'{dialect.row_id(source)} AS rowid', base, *dims])} FROM {source}"
        base = dialect.star_except("e", [quote(d) for d in [*replaced, *carried]])
        return "TABLE", f"SELECT {', '.join([base, *extra])} FROM {source} e {join} {_in_order(time_col)}"
    # Recomputed (a version published before ORDERS_MARK): its own columns dropped first.
    ours = [c for c in all_cols if internal(c)]
    base = dialect.star_except("e", [quote(d) for d in [*replaced, *ours]])
    with_, more_join, more = _orders_parts(cur, source, lower - set(ours), dialect.row_id)
    select = f"SELECT {', '.join([base, *extra, *more])} FROM {source} e {join} {more_join}"
    select += f" {_in_order(time_col)}"
    return "TABLE", f"WITH {', '.join(with_)} {select}" if with_ else select


def _in_order(time_col: str) -> str:
    """A fact's rows by time, rows at one time in the version's order (DuckDB's sort keeps no order
    of its own among equal keys, and queries break ties by the fact's row id)."""
    return f"ORDER BY e.{quote(time_col)}, {dialect.row_id('e')}"


def orders_select(
    cur,
    source: str,
    columns: set[str],
    key: str,
    unique_ids: bool = False,
    ok: str | None = None,
    defined: str | None = None,
    snap: Snapshot | None = None,
) -> str:
    """The rows of `source` (a table, or a parenthesised SELECT of canonical and extra order
    columns) with the fact's customer-independent columns and ORDERS_MARK, sorted by time (ties by
    `key`): what an import publishes as an orders version. `key` is a column of `source` unique per
    row, left out of the result unless it is one of `columns`. `unique_ids`: the caller knows no
    two rows share an order id. `ok`: a boolean column of `source` (left out too); its false rows
    take no part in the customers' columns and keep a NULL ORDERS_MARK, so the caller can count
    them. `defined`: the SELECT that `source` names (read once, however many parts read it).
    `snap`: the tables in force, whose customers' attributes the rows carry (see DIM_PREFIX)."""
    lower = {c.lower() for c in columns}
    rows = f"(SELECT * FROM {source} WHERE {quote(ok)})" if ok else source
    with_, join, extra = _orders_parts(cur, rows, lower, lambda a: f"{a}.{quote(key)}", unique_ids)
    with_ = [f"{source} AS ({defined})", *with_] if defined else with_
    if snap is not None and snap.has("customers"):
        customers = {c.lower(): c for c in _table_columns(cur, snap.tables["customers"])}
        more_join, dims, _ = _customer_join(snap, lower, customers, lambda dim: DIM_PREFIX + dim)
        if dims:
            join += f" {more_join}"
            extra += [*dims, f"true AS {dims_mark(snap)}"]
    hidden = ([] if key.lower() in lower else [quote(key)]) + ([quote(ok)] if ok else [])
    base = dialect.star_except("e", hidden)
    mark = f"CASE WHEN e.{quote(ok)} THEN true END" if ok else "true"
    select = (
        f"SELECT {base}, {', '.join(extra)}, {mark} AS {ORDERS_MARK} FROM {source} e {join} "
        f"ORDER BY e.order_date, e.{quote(key)}"
    )
    return f"WITH {', '.join(with_)} {select}" if with_ else select


def _orders_parts(
    cur, source: str, lower: set[str], key: Callable[[str], str], unique_ids: bool = False
) -> tuple[list[str], str, list[str]]:
    """CTEs, joins and columns that add ORDER_INTERNALS to the orders rows `e` of `source`;
    `key(alias)` is a row's unique key (joins a window computed over a few columns back).
    `unique_ids`: no two rows share an order id (known already: not looked at again)."""
    valid = "coalesce(status, '') NOT IN ('cancelled', 'returned')"
    valid_e = valid.replace("status", "e.status")
    with_, join, extra = [], "", []
    channel = "channel" in lower
    if channel:  # a small integer per channel: per-customer arg_max is ~4x faster on it
        with_.append(
            "codes AS (SELECT channel AS _ch, row_number() OVER (ORDER BY channel) AS _channel_code "
            f"FROM (SELECT DISTINCT channel FROM {source} WHERE channel IS NOT NULL))"
        )
        join += " LEFT JOIN codes ON codes._ch = e.channel"
        extra.append("codes._channel_code")
    else:
        extra.append("CAST(NULL AS BIGINT) AS _channel_code")
    if "customer_id" in lower:
        # Per customer: an integer key (small, dense, fast to count distinct) and the first counted
        # order over all history (time and channel).
        first_channel = f"{dialect.first_by('channel', 'order_date')} FILTER (WHERE {valid})" if channel else "NULL"
        with_.append(
            "cust AS (SELECT k.*, "
            + ("fc._channel_code AS _first_channel_code " if channel else "NULL AS _first_channel_code ")
            + "FROM (SELECT customer_id AS _key_id, CAST(row_number() OVER (ORDER BY customer_id) AS BIGINT) AS _cust, "
            f"min(order_date) FILTER (WHERE {valid}) AS _first_at, {first_channel} AS _first_channel, "
            f"{dialect.as_date(f'max(order_date) FILTER (WHERE {valid})')} AS _last_day "
            f"FROM {source} WHERE customer_id IS NOT NULL GROUP BY customer_id) k"
            + (" LEFT JOIN codes fc ON fc._ch = k._first_channel)" if channel else ")")
        )
        join += " LEFT JOIN cust ON cust._key_id = e.customer_id"
        extra += ["cust._cust", "cust._first_at", "cust._first_channel", "cust._first_channel_code", "cust._last_day"]
        # Each counted order's previous counted order day of its customer: churn spells for any
        # inactivity threshold are then a filter on it (insight/domain/churn.py). The window runs
        # over the counted orders' three columns it needs and is joined back by row: sorting whole
        # rows for it took most of the publish. (Orders at the same time in the key's order: the
        # same days every time.)
        join += (
            f" LEFT JOIN (SELECT {key('p')} AS _prev_key, lag({dialect.as_date('order_date')}) "
            f"OVER (PARTITION BY customer_id ORDER BY order_date, {key('p')}) AS _prev_day "
            f"FROM {source} p WHERE {valid}) prev ON prev._prev_key = {key('e')}"
        )
        extra.append("prev._prev_day")
    else:
        extra += ["CAST(NULL AS BIGINT) AS _cust", "CAST(NULL AS TIMESTAMP) AS _first_at", "NULL AS _first_channel"]
        extra += ["NULL AS _first_channel_code", "CAST(NULL AS DATE) AS _last_day", "CAST(NULL AS DATE) AS _prev_day"]
    # One line per order is its "first" (a counted line where there is one), so counting orders is
    # a plain count, additive over any grouping, instead of a distinct count.
    first_line = "true"
    if "order_id" in lower and not unique_ids:
        unique = cur.execute(f"SELECT count(DISTINCT order_id) = count(order_id) FROM {source}").fetchone()[0]
        if not unique:
            first_line = "e.order_id IS NULL OR row_number() OVER "
            first_line += f"(PARTITION BY e.order_id ORDER BY {valid_e} DESC, {key('e')}) = 1"
    extra += [f"{dialect.as_date('e.order_date')} AS _day", f"{valid_e} AS _valid", f"{first_line} AS _order_first"]
    return with_, join, extra


def channel_names(ws: Workspace, fact: str) -> dict[int, str]:
    """The orders fact's channel codes and their names (cached: facts never change)."""
    key = f"{fact}:channels"
    if key not in ws._facts_meta:
        rows = ws.query(f"SELECT DISTINCT _channel_code, channel FROM {quote(fact)} WHERE _channel_code IS NOT NULL")
        ws._facts_meta[key] = dict(zip(rows["_channel_code"].astype(int), rows["channel"], strict=True))
    return ws._facts_meta[key]


def constant_per_customer(ws: Workspace, fact: str, column: str) -> bool:
    """Whether no customer's counted orders in the orders fact take two values of `column`
    (cached: facts never change)."""
    key = f"{fact}:constant:{column}"
    if key not in ws._facts_meta:
        # One (customer, value) pair per customer, NULL counting as a value: distinct pairs are
        # several times cheaper than a distinct count per customer. (The channel by its code.)
        col = "_channel_code" if column == "channel" else quote(column)
        rows = f"FROM {quote(fact)} WHERE _valid AND _cust IS NOT NULL"
        customers = dialect.distinct_count("_cust", top=customer_keys(ws, fact))
        pairs = f"SELECT count(*) FROM (SELECT DISTINCT _cust, {col} {rows}) p"
        ws._facts_meta[key] = bool(ws.scalar(f"SELECT ({pairs}) = (SELECT {customers} {rows})"))
    return ws._facts_meta[key]


def _table_columns(cur, physical: str) -> list[str]:
    """A table's columns as this cursor sees them (inside an open transaction too)."""
    return [r[0] for r in cur.execute(dialect.stored_columns(), [physical]).fetchall()]


def customer_keys(ws: Workspace, fact: str) -> int:
    """The largest customer key of an orders fact (facts never change, so it is cached)."""
    cache = ws._facts_meta
    if fact not in cache:
        cache[fact] = int(ws.scalar(f"SELECT coalesce(max(_cust), 0) FROM {quote(fact)}"))
    return cache[fact]


def customer_ids(ws: Workspace, snap: Snapshot) -> str | None:
    """SQL naming a table of each customer key's customer_id and last counted order day
    (`_cust, customer_id, _last_day`, sorted by key), from the first orders (a row or a few per
    customer), kept in memory per data version; None without first orders. Joining it by the
    integer key is cheaper than carrying the id text through a grouping of the orders."""
    if not snap.has(FIRST_ORDERS):
        return None
    first = snap.tables[FIRST_ORDERS]
    sql = f"SELECT DISTINCT _cust, customer_id, _last_day FROM {quote(first)} ORDER BY _cust"
    return derived_table(ws, "cid", 1, first, "ids", sql, [], keep=2)


def _drop_stale(cur, ws: Workspace) -> None:
    """Drop facts whose source versions are gone (and per-scope copies of older versions)."""
    from insight.auth.access import drop_legacy

    drop_legacy(cur)
    tables = {r[0] for r in cur.execute(dialect.stored("table", "%")).fetchall()}
    views = {r[0] for r in cur.execute(dialect.stored("view", "%")).fetchall()}
    for name in sorted(n for n in tables | views if n.startswith("_fact_")):
        kind = "VIEW" if name in views else "TABLE"
        match = _NAME.fullmatch(name)
        if match is None:  # an older naming scheme: nothing reads it any more
            cur.execute(f"DROP {kind} {quote(name)}")
            continue
        table, version, customers, schema = match.group(1), *map(int, match.groups()[1:])
        source = "orders" if table in DERIVED else table
        gone = f"{source}__v{version}" not in tables or (customers and f"customers__v{customers}" not in tables)
        if gone or schema != FACT_SCHEMA:
            cur.execute(f"DROP {kind} {quote(name)}")
            ws._facts.discard(name)


def derived_built(ws: Workspace, family: str, schema: int, source: str, key: str) -> bool:
    """Whether `derived_table` holds that table already (nothing is built)."""
    return f"_{family}{schema}{source}_{key}" in ws._facts_meta.get(f"_{family}_order", [])


def derived_table(
    ws: Workspace,
    family: str,
    schema: int,
    source: str,
    key: str,
    sql: str,
    params,
    keep: int = 8,
    frame: Callable[[], object] | None = None,
    session: dict[str, int] | None = None,
) -> str:
    """A table computed from the fact `source` (`CREATE TABLE … AS sql`) on first use and reused
    after, as `<scratch>."_{family}{schema}{source}_{key}"` (the SQL to read it), where `key` names
    the settings (and the row scope). It lives in the workspace's in-memory scratch catalog, never
    in the file: a read does not write the workspace, and a version's tables go with the process.
    At most `keep` of a family are kept (least recently used dropped first); one is built at a
    time, so two readers asking for it at once build it once. `frame`: a function giving a data
    frame (or Arrow table) the SQL reads as `_frame`, called only when the table is built (DuckDB
    only: a table computed outside SQL). `session`: DuckDB settings for the building statement alone
    (its cursor's own session)."""
    name = f"_{family}{schema}{source}_{key}"
    qualified = f"{ws.scratch}.{quote(name)}"
    order: list[str] = ws._facts_meta.setdefault(f"_{family}_order", [])  # least recently used first
    with _BUILDING:
        if name in order:
            order.remove(name)
        else:
            with ws.cursor() as cur:
                if frame is not None:
                    cur.register("_frame", frame())
                for setting, value in (session or {}).items():
                    cur.execute(f"SET {setting} = {int(value)}")
                cur.execute(f"CREATE TABLE IF NOT EXISTS {qualified} AS {sql}", params)
                while len(order) >= keep:
                    cur.execute(f"DROP TABLE IF EXISTS {ws.scratch}.{quote(order.pop(0))}")
            ws.created(name, "TABLE", sql, params)  # another engine builds its own copy
        order.append(name)
    return qualified
