"""Publishing a plain orders file in the statement that reads it.

The usual import types the file's rows into a temp table, checks them there and then publishes
them with the fact's columns: a million rows are written twice, and the temp table alone cost
about 0.3 CPU-s of the 3.5 an import took. An orders file replacing the table, plain UTF-8 text
(typed as it is read: insight/ingest/stream.py) whose first rows (the mapping's sample) all pass
their checks and repeat no order id, is instead typed and published in one statement: DuckDB reads
the file once and hands each row to every part of the fact's statement.

What the usual import checks before publishing is checked after, in the same transaction: rows
that fail a check are carried through with a NULL fact mark (`facts.orders_select(ok=...)`), lines
the reader could not read land in its rejects, and the order ids are checked unique in the
published table. Any of these found, the transaction rolls back (`Refused`) and the file is
imported the usual way, which says which rows and why: a file with a bad row past its first rows
pays for two readings.
"""

from __future__ import annotations

from insight import settings
from insight.db import facts
from insight.db.workspace import Snapshot, Workspace, quote
from insight.ingest import integrity, mapping, reader
from insight.ingest.plan import RAW, REJECTS, Plan

_OK = "_ok"


class Refused(Exception):
    """The published rows need the usual import after all (rolled back): a row failed a check, the
    reader rejected a line, or an order id is blank or on two rows."""


def applies(cur, plan: Plan, mode: str, dry_run: bool) -> bool:
    """Whether `plan` (prepared) may be published directly: an orders file with order ids replacing
    the table, typed as it is read, whose sampled first rows all load and have order ids, none twice."""
    parsed = plan.parsed
    if plan.table != "orders" or mode != "replace" or dry_run or parsed.stream is None or plan.ids != ["order_id"]:
        return False
    first = mapping.SAMPLE if plan.sampled else f"(SELECT * FROM {RAW} LIMIT {settings.GUESS_SAMPLE_ROWS})"
    bad, repeated = cur.execute(
        f"SELECT count(*) FILTER (WHERE NOT {_OK}), count(*) - count(DISTINCT order_id) "
        f"FROM (SELECT {plan.typed()} FROM {plan.with_clean(first)})"
    ).fetchone()
    return not bad and not repeated


def publish(ws: Workspace, cur, plan: Plan, compress: dict[str, str], snap: Snapshot) -> tuple[int, str]:
    """Inside `writer(cur)`: type and publish the file's rows as the next orders version (`compress`:
    as `Workspace.publish`; `snap`: the tables in force); (version, physical table). Raises `Refused`
    when a row, a line or an order id needs the usual import."""
    parsed = plan.parsed
    # The order id is the row key the fact's window joins back on (unique, or refused below): the
    # file's row number would take a window that reads the file on one thread. (A blank row fails
    # the check of the order date every order needs: nothing else looks for blank rows here.)
    source = f"SELECT {plan.typed()} FROM {plan.with_clean(parsed.stream(reader.KEEP_REJECTS))}"
    select = facts.orders_select(
        cur, "typed_rows", set(plan.output_columns), key="order_id", unique_ids=True, ok=_OK, defined=source, snap=snap
    )
    reader.drop_csv_errors(cur)
    version = ws.publish(cur, "orders", select, op="replace", source_file=plan.file, compress=compress)
    physical = f"orders__v{version}"
    refused, parsed.rows = cur.execute(
        f"SELECT count(*) FILTER (WHERE {facts.ORDERS_MARK} IS NULL) + (SELECT count(*) FROM csv_errors), count(*) "
        f"FROM {quote(physical)}"
    ).fetchone()
    if refused or not parsed.rows or not integrity.unique_ids(cur, ["order_id"], quote(physical)):
        raise Refused
    plan.loaded, plan.rejected = parsed.rows, 0
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {REJECTS} AS {reader.EMPTY_REJECTS}")
    return version, physical
