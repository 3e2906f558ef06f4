"""Derived tables that keep page queries fast: the orders fact, built once per data version.

`orders` joined to its customer's segment and tier (and region, where the order has none), with
an integer customer key for fast distinct counts, a date column and a revenue flag, sorted by
order date so a period filter skips whole row groups. It is named after the versions it comes
from, built at import (or on first use), and dropped with them.
"""

from __future__ import annotations

import re

from insight.workspace import Snapshot, Workspace, quote

FACT_PREFIX = "_fact_orders"
#: Customer attributes copied onto each order, so filters on them need no join.
CUSTOMER_DIMS = ("segment", "tier", "region")
VALID = "coalesce(o.status, '') NOT IN ('cancelled', 'returned')"


def refresh(ws: Workspace) -> None:
    """After an import or a deletion: build the current fact and drop the ones nothing uses."""
    ensure_fact(ws, ws.snapshot())
    with ws.writer() as cur:
        _drop_stale(cur, ws)


def _version(physical: str | None) -> int:
    return int(physical.rsplit("__v", 1)[1]) if physical else 0


def fact_name(snap: Snapshot) -> str | None:
    """`_fact_orders_o<orders version>_c<customers version or 0>`."""
    if not snap.has("orders"):
        return None
    return f"{FACT_PREFIX}_o{_version(snap.tables['orders'])}_c{_version(snap.tables.get('customers'))}"


def ensure_fact(ws: Workspace, snap: Snapshot) -> str | None:
    """The fact table for this snapshot, built if it does not exist yet."""
    name = fact_name(snap)
    if name is None:
        return None
    if name in _existing(ws):
        return name
    with ws.writer() as cur:
        if name in [r[0] for r in cur.execute(_LIST_SQL).fetchall()]:
            return name
        cur.execute(f"CREATE TABLE {quote(name)} AS {_fact_sql(ws, snap)}")
        _drop_stale(cur, ws)
    return name


def _fact_sql(ws: Workspace, snap: Snapshot) -> str:
    order_cols = ws.columns("orders", snap)
    lower = {c.lower() for c in order_cols}
    extra = []
    join = ""
    if snap.has("customers") and "customer_id" in lower:
        cust_cols = {c.lower(): c for c in ws.columns("customers", snap)}
        join = f"LEFT JOIN {snap['customers']} c ON c.customer_id = o.customer_id"
        for dim in CUSTOMER_DIMS:
            if dim not in cust_cols:
                continue
            if dim in lower:  # the order's own value wins; the customer's fills the gaps
                continue
            extra.append(f"c.{quote(cust_cols[dim])} AS {quote(dim)}")
    key = (
        "CASE WHEN o.customer_id IS NOT NULL THEN dense_rank() OVER (ORDER BY o.customer_id) END AS _cust"
        if "customer_id" in lower
        else "CAST(NULL AS BIGINT) AS _cust"
    )
    fill_region = ""
    if "region" in lower and join and "region" in {c.lower() for c in ws.columns("customers", snap)}:
        fill_region = ", coalesce(o.region, c.region) AS region"
    select = "o.* EXCLUDE (region)" if fill_region else "o.*"
    cols = ", ".join([select + fill_region, *extra])
    return f"""
        SELECT {cols}, CAST(o.order_date AS DATE) AS _day, {VALID} AS _valid, {key}
        FROM {snap['orders']} o {join}
        ORDER BY o.order_date
    """


_LIST_SQL = f"SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name LIKE '{FACT_PREFIX}%'"


def _existing(ws: Workspace) -> list[str]:
    return ws.query(_LIST_SQL)["table_name"].tolist()


def _drop_stale(cur, ws: Workspace) -> None:
    """Drop facts whose source versions are gone."""
    tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    for name in [t for t in tables if t.startswith(FACT_PREFIX)]:
        ov, cv = map(int, re.fullmatch(rf"{FACT_PREFIX}_o(\d+)_c(\d+)", name).groups())
        if f"orders__v{ov}" not in tables or (cv and f"customers__v{cv}" not in tables):
            cur.execute(f"DROP TABLE {quote(name)}")
