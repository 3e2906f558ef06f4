"""A `Scope` is what every query runs against: a workspace snapshot restricted to the user's rows,
the filters and the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from insight import access, facts
from insight.filters import TIME_COLUMNS, Filters
from insight.i18n import msg
from insight.workspace import Snapshot, Workspace


@dataclass(frozen=True)
class Scope:
    ws: Workspace
    snap: Snapshot
    filters: Filters
    period: tuple[dt.date, dt.date] | None
    columns: dict[str, frozenset[str]]
    data_end: dt.date | None = None
    notes: tuple[str, ...] = field(default=())
    customer_keys: int | None = None  # the largest customer key of the orders fact
    rows: access.RowScope = field(default_factory=access.RowScope.all)

    @classmethod
    def open(
        cls, ws: Workspace, filters: Filters, notes: list | None = None, rows: access.RowScope | None = None
    ) -> Scope:
        """The scope of `filters` for a user who may see `rows` (default: every row, as the
        workspace's owner). Every table is restricted to those rows before anything is built on it."""
        rows = rows or access.RowScope.all()
        filters, outside = rows.intersect(filters)
        snap = access.restrict(ws, ws.snapshot(filters.ds), rows)
        notes = list(notes or []) + ([snap.note] if snap.note else []) + outside
        if not rows.everything and not rows.rules:
            notes.append(msg("note.no_rows"))
        # Queries on orders and tickets read their denormalised, time-sorted facts instead.
        derived = {t: facts.ensure_fact(ws, snap, t) for t in (*facts.FACT_TABLES, *facts.DERIVED)}
        snap = replace(snap, tables={**snap.tables, **{t: f for t, f in derived.items() if f}})
        columns = {t: frozenset(ws.columns(t, snap)) for t in snap.tables}
        data_end = _data_end(ws, snap, columns)
        if filters.start and filters.end:
            period = (filters.start, filters.end)
        elif data_end is None:
            period = None
        else:
            end = filters.end or data_end
            start = filters.start or default_start(end)
            period = (start, end) if start <= end else (end, end)
        keys = facts.customer_keys(ws, snap.tables["orders"]) if derived.get("orders") else None
        from insight import segments  # segments are computed over a scope

        options, option_notes = segments.Options.from_extra(dict(filters.extra))
        scope = cls(ws, snap, filters, period, columns, data_end, tuple(notes + option_notes), keys, rows)
        # The rfm and tier filters read the period's segment table: build it only when they are used.
        if not segments.needed(filters):
            return scope
        scope = segments.with_segments(scope, options=options)
        if not scope.snap.has(segments.SEGMENTS):
            scope = replace(scope, notes=(*scope.notes, "rfm/tier ignored: they need dated orders with a customer_id"))
        return scope

    def has(self, table: str, *cols: str) -> bool:
        return self.snap.has(table) and set(cols) <= self.columns.get(table, frozenset())

    def table(self, table: str) -> str:
        return self.snap[table]

    def where(self, table: str, alias: str = "t", *, period: bool = True) -> tuple[str, list]:
        return self.filters.where(table, self.snap, self.columns, self.period if period else None, alias)

    def compare(self) -> Scope | None:
        """The comparison scope: the period just before (prev) or a year earlier (yoy)."""
        if self.period is None or self.filters.cmp == "none":
            return None
        start, end = self.period
        if self.filters.cmp == "yoy":
            shifted = (_years_back(start, 1), _years_back(end, 1))
        else:
            days = (end - start).days + 1
            shifted = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
        return replace(self, period=shifted)

    def query(self, sql: str, params: list | None = None, **kw) -> pd.DataFrame:
        return self.ws.query(sql, params, **kw)

    def scalar(self, sql: str, params: list | None = None):
        return self.ws.scalar(sql, params)


def default_start(end: dt.date) -> dt.date:
    """The last 12 months of the data, ending at `end`."""
    return _years_back(end, 1) + dt.timedelta(days=1)


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _data_end(ws: Workspace, snap: Snapshot, columns: dict) -> dt.date | None:
    for table in ("orders", "tickets", "contacts", "customers"):
        col = TIME_COLUMNS[table]
        if snap.has(table) and col in columns.get(table, ()):
            value = ws.scalar(f"SELECT max({col}) FROM {snap[table]}")
            if value is not None:
                return pd.Timestamp(value).date()
    return None
