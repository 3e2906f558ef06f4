"""A `Scope` is what every query runs against: a workspace snapshot restricted to the user's rows,
the filters and the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from insight.auth import access
from insight.db import facts
from insight.db.workspace import Snapshot, Workspace
from insight.i18n import Message, msg
from insight.semantic.filters import TIME_COLUMNS, Filters

#: Event tables whose dates a period covers (customers and campaigns are states, not events).
EVENT_TABLES = ("orders", "tickets", "contacts")
#: The table whose dates each page's default period follows when it has no rows in the period
#: the rest of the data gives (tables from different eras). Other pages follow the data as a whole.
PAGE_TABLES = {"complaints": "tickets", "campaigns": "contacts"}

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Scope:
    ws: Workspace
    snap: Snapshot
    filters: Filters
    period: tuple[dt.date, dt.date] | None
    columns: dict[str, frozenset[str]]
    data_end: dt.date | None = None
    notes: tuple[str | Message, ...] = field(default=())
    customer_keys: int | None = None  # the largest customer key of the orders fact
    rows: access.RowScope = field(default_factory=access.RowScope.all)
    #: First and last day of each dated event table (the user's rows, before any filter).
    spans: dict[str, Span] = field(default_factory=dict, compare=False)
    #: The table whose dates set the default period; None when the period was chosen (from/to).
    basis: str | None = None

    @classmethod
    def open(
        cls,
        ws: Workspace,
        filters: Filters,
        notes: list | None = None,
        rows: access.RowScope | None = None,
        page: str | None = None,
    ) -> Scope:
        """The scope of `filters` for a user who may see `rows` (default: every row, as the
        workspace's owner), on `page` (its default period may follow its own table). Every table
        is restricted to those rows before anything is built on it."""
        rows = rows or access.RowScope.all()
        filters, outside = rows.intersect(filters)
        snap = ws.snapshot(filters.ds)
        notes = list(notes or []) + ([snap.note] if snap.note else []) + outside
        if not rows.everything and not rows.rules:
            notes.append(msg("data.no_rows"))
        # Queries on orders and tickets read their denormalised, time-sorted facts instead (built
        # when the data was published: a read never builds anything).
        derived = {t: facts.built(ws, snap, t) for t in (*facts.FACT_TABLES, *facts.DERIVED)}
        snap = replace(snap, tables={**snap.tables, **{t: f for t, f in derived.items() if f}})
        snap = access.restrict(ws, snap, rows)  # the user's rows: a predicate on every table
        columns = {t: frozenset(ws.columns(t, snap)) for t in snap.tables}
        spans = {t: s for t in EVENT_TABLES if (s := _span(ws, snap, columns, t))}
        data_end, basis = _data_end(ws, snap, columns, spans)
        period, basis, period_notes = _period(filters, data_end, basis, spans, PAGE_TABLES.get(page or ""))
        keys = facts.customer_keys(ws, snap.tables["orders"]) if derived.get("orders") else None
        from insight.domain import segments  # segments are computed over a scope

        options, option_notes = segments.Options.from_extra(dict(filters.extra))
        notes = tuple(notes + option_notes + period_notes)
        scope = cls(ws, snap, filters, period, columns, data_end, notes, keys, rows, spans, basis)
        # The rfm and tier filters read the period's segment table: build it only when they are used.
        if not segments.needed(filters):
            return scope
        scope = segments.with_segments(scope, options=options)
        if not scope.snap.has(segments.SEGMENTS):
            scope = replace(scope, notes=(*scope.notes, msg("ignored.segment_filters")))
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

    def uncompared(self, table: str | None) -> Message | None:
        """Why figures of `table` get no comparison: None when the comparison period lies wholly
        inside the table's data (a comparison with a period the data does not reach is no
        comparison: it would show the whole figure as growth)."""
        other = self.compare()
        if other is None or table not in self.spans:
            return None
        first = self.spans[table][0]
        if first > other.period[0]:
            return msg("compare.before_data", table=msg(f"table.{table}"), first=first, start=other.period[0])
        return None

    def in_period(self, table: str) -> bool:
        """Whether the period reaches any of the table's dates (False: the table lies outside it)."""
        if self.period is None or table not in self.spans:
            return False
        first, last = self.spans[table]
        return first <= self.period[1] and last >= self.period[0]

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


def _span(ws: Workspace, snap: Snapshot, columns: dict, table: str) -> Span | None:
    """First and last day of `table` (cached per physical table: a version never changes)."""
    col = TIME_COLUMNS[table]
    if not snap.has(table) or col not in columns.get(table, ()):
        return None
    key = f"_span_{snap.tables[table]}_{snap.rows}"  # the user's rows
    if key not in ws._facts_meta:
        row = ws.query(f"SELECT min({col}) AS lo, max({col}) AS hi FROM {snap[table]}").iloc[0]
        found = None if pd.isna(row["hi"]) else (pd.Timestamp(row["lo"]).date(), pd.Timestamp(row["hi"]).date())
        ws._facts_meta[key] = found
    return ws._facts_meta[key]


def _data_end(ws: Workspace, snap: Snapshot, columns: dict, spans: dict) -> tuple[dt.date | None, str | None]:
    """The latest day of the data (orders first, then tickets, contacts, customers) and its table."""
    for table in ("orders", "tickets", "contacts"):
        if table in spans:
            return spans[table][1], table
    col = TIME_COLUMNS["customers"]
    if snap.has("customers") and col in columns.get("customers", ()):
        value = ws.scalar(f"SELECT max({col}) FROM {snap['customers']}")
        if value is not None:
            return pd.Timestamp(value).date(), "customers"
    return None, None


def _period(filters: Filters, data_end, basis, spans: dict, own: str | None):
    """(period, basis, notes). Without from/to: the last 12 months of the data; a page whose own
    table has no rows in it (tables from different eras) takes its own table's last 12 months."""
    if filters.start and filters.end:
        return (filters.start, filters.end), None, []
    if data_end is None:
        return None, None, []
    end = filters.end or data_end
    start = filters.start or default_start(end)
    if start > end:
        start = end
    if filters.start or filters.end or own not in spans or own == basis:
        return (start, end), basis, []
    first, last = spans[own]
    if first <= end and last >= start:  # the page's table overlaps the period: keep it
        return (start, end), basis, []
    own_start = default_start(last)
    note = msg(
        "period.follows",
        table=msg(f"table.{own}"),
        start=own_start,
        end=last,
        other=msg(f"table.{basis}"),
        other_end=end,
    )
    return (own_start, last), own, [note]
