"""Integrity of an import against itself and the other tables.

- Exact duplicate rows are counted; in append mode rows already in the table are skipped.
- Keyed tables (customers by customer_id, campaigns by campaign_id) hold one row per key, or
  every join onto them fans out (500 repeated customers added 10 % to revenue). The rule: within
  a file the last row of a key wins; in append mode a file's row replaces the table's row with the
  same key. Both are counted and reported.
- Coverage: how many of the file's customer ids appear in each other table, with a warning when
  few do (customers and orders from different systems).
"""

from __future__ import annotations

from dataclasses import dataclass

from insight import settings
from insight.db.workspace import Snapshot, Workspace, quote
from insight.i18n import Message, msg
from insight.ingest.plan import GENERATED, RAW, TYPED

#: Tables with one row per key.
KEYS = {"customers": "customer_id", "campaigns": "campaign_id"}
#: Tables whose customer ids link the others.
LINKED = ("customers", "orders", "tickets", "contacts")


@dataclass
class Superseded:
    rows: int  # rows of the file that a later row with the same key replaced
    keys: list[str]  # a few of those keys


def unique_ids(cur, ids: list[str], rows: str = TYPED) -> set[str]:
    """The columns of `ids` that no loaded row (of `rows`) leaves blank and no two share."""
    if not ids:
        return set()
    # Exports mostly number their rows in order: ids that rise from each row to the next (in one
    # pass over the rows, in whatever order it takes them) are unique, which a look at each row's
    # neighbour shows at a quarter of the cost of a distinct count. The others are counted.
    rising = [f"bool_and(_{i})" for i in range(len(ids))]
    steps = ", ".join(f"{quote(c)} IS NOT NULL AND coalesce({quote(c)} > lag({quote(c)}) OVER (), true)" for c in ids)
    names = ", ".join(f"_{i}" for i in range(len(ids)))
    found = cur.execute(f"SELECT {', '.join(rising)} FROM (SELECT {steps} FROM {rows}) t({names})").fetchone()
    counted = [c for c, up in zip(ids, found, strict=True) if not up]
    if not counted:
        return set(ids)
    found = cur.execute(f"SELECT {', '.join(f'count(DISTINCT {quote(c)}) = count(*)' for c in counted)} FROM {rows}")
    return set(ids) - {c for c, unique in zip(counted, found.fetchone(), strict=True) if not unique}


def duplicate_rows(cur, unique: set[str], source_columns: list[str], every_row: bool) -> int:
    """Loaded rows that repeat another loaded row of the file exactly (all source columns): 0
    where an id typed from one source column is `unique` (rows with different ids differ); else
    the loaded rows' source columns are hashed (`every_row`: none rejected, all rows loaded)."""
    if unique:
        return 0
    row = f"hash({', '.join(quote(c) for c in source_columns)})"
    loaded = "" if every_row else f" WHERE _row IN (SELECT _row FROM {TYPED})"
    return cur.execute(f"SELECT count(*) - count(DISTINCT {row}) FROM {RAW}{loaded}").fetchone()[0]


def keep_last_per_key(cur, table: str) -> Superseded:
    """Within the file, keep each key's last row (file order)."""
    key = KEYS.get(table)
    if key is None:
        return Superseded(0, [])
    k = quote(key)
    extra = cur.execute(f"SELECT count(*) - count(DISTINCT {k}) FROM {TYPED}").fetchone()[0]
    if not extra:
        return Superseded(0, [])
    keys = [
        r[0]
        for r in cur.execute(f"SELECT {k} FROM {TYPED} GROUP BY ALL HAVING count(*) > 1 ORDER BY 1 LIMIT 5").fetchall()
    ]
    cur.execute(
        f"DELETE FROM {TYPED} WHERE _row IN (SELECT _row FROM (SELECT _row, "
        f"row_number() OVER (PARTITION BY {k} ORDER BY _row DESC) AS n FROM {TYPED}) WHERE n > 1)"
    )
    return Superseded(extra, keys)


def replaced_on_append(cur, table: str, existing: str) -> int:
    """Rows of the table whose key the file brings again (they are replaced)."""
    k = quote(KEYS[table])
    return cur.execute(f"SELECT count(*) FROM {existing} e WHERE {k} IN (SELECT {k} FROM {TYPED})").fetchone()[0]


def append_select(table: str, existing: str, select: str) -> str:
    """Existing rows (those whose key the file replaces left out) followed by the file's rows."""
    if table in KEYS:
        k = quote(KEYS[table])
        return f"SELECT * FROM {existing} WHERE {k} NOT IN (SELECT {k} FROM {TYPED}) UNION ALL BY NAME ({select})"
    return f"SELECT * FROM {existing} UNION ALL BY NAME ({select})"


def existing_duplicates(cur, existing: str, shared: list[str]) -> int:
    """Rows of the file already present in the table (multiplicity respected); kept in dup_rows."""
    if not shared:
        return 0
    cols = ", ".join(quote(c) for c in shared)
    match = " AND ".join(f"s.{quote(c)} IS NOT DISTINCT FROM e.{quote(c)}" for c in shared)
    # Only the table's rows whose first column's value (NULL too: hashed) the file holds are grouped:
    # grouping all of them by every column cost more than the rest of an append's checks.
    first = f"hash({quote(shared[0])})"
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE dup_rows AS
        WITH s AS (SELECT _row, {cols}, row_number() OVER (PARTITION BY {cols} ORDER BY _row) AS k FROM {TYPED}),
             e AS (SELECT {cols}, count(*) AS n FROM {existing} WHERE {first} IN (SELECT {first} FROM s) GROUP BY ALL)
        SELECT s._row FROM s JOIN e ON {match} WHERE s.k <= e.n"""
    )
    return cur.execute("SELECT count(*) FROM dup_rows").fetchone()[0]


def drop_existing(cur) -> None:
    cur.execute(f"DELETE FROM {TYPED} WHERE _row IN (SELECT _row FROM dup_rows)")


def coverage(
    cur, ws: Workspace, snap: Snapshot, table: str, columns: list[str], rows: str = TYPED
) -> tuple[list[dict], list[Message]]:
    """How many of the file's customer ids (in `rows`) appear in each other table; warnings where few do."""
    others = [t for t in LINKED if t != table and snap.has(t) and "customer_id" in ws.columns(t, snap)]
    if "customer_id" not in columns or not others:
        return [], []
    real = f"AND NOT coalesce({quote(GENERATED)}, false)" if GENERATED in columns else ""
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE file_ids AS SELECT DISTINCT customer_id FROM {rows} "
        f"WHERE customer_id IS NOT NULL {real}"
    )
    total = cur.execute("SELECT count(*) FROM file_ids").fetchone()[0]
    if not total:
        return [], []
    out, warnings = [], []
    for other in others:
        matched = cur.execute(
            f"SELECT count(*) FROM file_ids WHERE customer_id IN (SELECT customer_id FROM {snap[other]})"
        ).fetchone()[0]
        out.append({"table": other, "matched": int(matched), "ids": int(total)})
        if matched < total * settings.COVERAGE_WARN:
            ours = cur.execute(
                "SELECT min(customer_id) FROM file_ids WHERE customer_id NOT IN "
                f"(SELECT customer_id FROM {snap[other]} WHERE customer_id IS NOT NULL)"
            ).fetchone()[0]
            theirs = cur.execute(f"SELECT min(customer_id) FROM {snap[other]}").fetchone()[0]
            warnings.append(
                msg(
                    "coverage.low",
                    matched=f"{matched:,}",
                    total=f"{total:,}",
                    table=other,
                    share=f"{matched / total:.0%}",
                    ours=str(ours),
                    theirs=str(theirs),
                )
            )
    return out, warnings


def guest_orders(cur, columns: list[str], rows: str = TYPED) -> Message | None:
    """Orders of the file (in `rows`) with no customer id (guest orders), when the file has a customer id column."""
    if "customer_id" not in columns:
        return None
    n, total = cur.execute(f"SELECT count(*) FILTER (WHERE customer_id IS NULL), count(*) FROM {rows}").fetchone()
    if not n:
        return None
    return msg("note.guest_orders", count=f"{n:,}", share=f"{n / total:.0%}")
