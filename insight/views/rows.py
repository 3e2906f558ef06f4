"""The rows behind a view: server-side pages, sorting, and exports of the same rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from insight.db.schema import columns as canonical_columns
from insight.db.workspace import quote
from insight.errors import InsightError
from insight.i18n import msg
from insight.semantic.scope import Scope

PAGE_SIZES = (25, 50, 100, 250)
#: Most rows an export writes; past that the user narrows the filters.
EXPORT_CAP = 200_000


@dataclass(frozen=True)
class RowPage:
    rows: pd.DataFrame
    total: int
    page: int
    pages: int


def visible_columns(scope: Scope, table: str) -> list[str]:
    """Canonical columns first, then the extras; internal `_` columns never show."""
    present = [c for c in scope.columns.get(table, ()) if not c.startswith("_") and c != "rowid"]
    order = [c.name for c in canonical_columns(table) if c.name in present]
    return order + sorted(c for c in present if c not in order)


def _base(scope: Scope, table: str) -> tuple[str, list]:
    if not scope.snap.has(table):
        raise InsightError(msg("error.no_table", table=table), hint=msg("error.no_table.hint", table=table))
    where, params = scope.where(table)
    return f"FROM {scope.table(table)} t WHERE {where}", params


def _order(scope: Scope, table: str, sort: str | None, descending: bool) -> str:
    cols = visible_columns(scope, table)
    if sort is None:
        sort = cols[0]
    if sort not in cols:  # user text reaches SQL only as a validated identifier
        raise InsightError(msg("error.bad_sort", column=sort), hint=msg("error.choose", choices=", ".join(cols)))
    return f"ORDER BY t.{quote(sort)} {'DESC' if descending else 'ASC'} NULLS LAST, t.rowid"


def page(
    scope: Scope, table: str, *, number: int = 1, size: int = 50, sort: str | None = None, descending: bool = False
) -> RowPage:
    if size not in PAGE_SIZES:
        raise InsightError(
            msg("error.page_size", size=size), hint=msg("error.choose", choices=", ".join(map(str, PAGE_SIZES)))
        )
    base, params = _base(scope, table)
    total = int(scope.scalar(f"SELECT count(*) {base}", params))
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    cols = ", ".join(f"t.{quote(c)}" for c in visible_columns(scope, table))
    frame = scope.query(
        f"SELECT {cols} {base} {_order(scope, table, sort, descending)} LIMIT {size} OFFSET {(number - 1) * size}",
        params,
    )
    return RowPage(frame, total, number, pages)


def export(scope: Scope, table: str, *, sort: str | None = None, descending: bool = False) -> tuple[pd.DataFrame, bool]:
    """Every row of the view, in the same order as the pages: at most EXPORT_CAP, fetched no
    further than that, and whether there were more (the download says so)."""
    base, params = _base(scope, table)
    cols = ", ".join(f"t.{quote(c)}" for c in visible_columns(scope, table))
    return scope.ws.fetch(f"SELECT {cols} {base} {_order(scope, table, sort, descending)}", params, cap=EXPORT_CAP)
