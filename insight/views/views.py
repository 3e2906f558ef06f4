"""Page figures, computed once for the pages, reports and the CLI `view` alike: what every page's
view has (`PageView`: KPI cards, notes, the period) and `page_view`, which builds the page's own
typed view (insight/views/pages/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, replace
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from insight import formatting
from insight.auth.access import RowScope
from insight.cache import memo
from insight.db.workspace import Workspace
from insight.domain import churn
from insight.i18n import Message, msg, note_kind, t
from insight.semantic import metrics, query
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views import options

PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns", "customer", "data")
DEFAULT_PAGE = "overview"

#: What each page needs before it can show anything.
PAGE_TABLES = {
    "overview": ("orders",),
    "channels": ("orders",),
    "segments": ("orders",),
    "churn": (),  # customers with a churned flag, or orders (behavioural churn): pages/churn.py checks
    "complaints": ("tickets",),
    "campaigns": ("contacts",),  # the campaigns table adds names and spend where it exists
    "customer": ("customers",),
    "data": (),
}

OVERVIEW_KPIS = (
    "revenue",
    "orders",
    "aov",
    "active_customers",
    "churn_rate",
    "complaints",
    "complaint_rate",
    "on_time_rate",
    "csat",
)


CHANNEL_KPIS = ("revenue", "orders", "active_customers", "aov")
SEGMENT_KPIS = ("segment_customers", "segment_revenue", "pareto_top20_share", "diamond_share", "customer_equity")
MEMBERS_SHOWN = 500
CHURN_KPIS = ("churn_rate", "churned_customers", "churn_base", "retention_m3", "complaint_churn_gap")
AT_RISK_SHOWN = 500
COMPLAINT_KPIS = ("complaints", "complaint_rate", "on_time_rate", "fcr_rate", "csat")
SUGGESTIONS_SHOWN = 500
CAMPAIGN_KPIS = ("response_rate", "conversion_rate", "roi", "uplift")


@dataclass
class Kpi:
    id: str
    value: float | None
    previous: float | None
    change: float | None
    change_pct: float | None
    available: bool
    table: str | None
    #: What the data lacks for this figure: a table (`tickets`) or a column (`tickets.satisfaction`).
    missing: str | None = None
    #: Why there is no value or no comparison (shown on the card instead of a delta).
    note: Message | None = None

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k not in ("id", "note")}
        return {**out, "note": None if self.note is None else str(self.note)}


@dataclass(frozen=True)
class Record:
    """One row of figures (a count, the inputs of a formula), in the JSON as a one-row table."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Period:
    """The period a view shows, the data version it read and the table that set the period."""

    start: dt.date
    end: dt.date
    version: int
    basis: str

    def to_dict(self) -> dict:
        return {"from": self.start, "to": self.end, "version": self.version, "basis": self.basis}


@dataclass
class PageView:
    """What every page view has; each page's view (insight/views/pages/) adds its own typed
    figures: a table is a `pd.DataFrame` (None where the data or the open section has none), a
    one-row figure a record with `to_dict()`."""

    page: str
    filters: Filters
    kpis: dict[str, Kpi] = field(default_factory=dict)
    #: Notes for the reader (insight.i18n messages; `i18n.note_kind` says what each one is).
    notes: list[str | Message] = field(default_factory=list)
    #: What the page needs and the data lacks: tables (`tickets`) or columns (`orders.customer_id`).
    missing: list[str] = field(default_factory=list)
    #: The view's filters ask only for rows outside the reader's row scope: nothing to show.
    outside: bool = False
    period: Period | None = None

    def figures(self) -> dict[str, object]:
        """The view's figures by name, tables and records (None where absent): its own fields in
        order, then the period."""
        base = {f.name for f in fields(PageView)}
        return {**{f.name: getattr(self, f.name) for f in fields(self) if f.name not in base}, "period": self.period}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The figures present as tables (a record as a one-row table): the CLI's JSON `tables`."""
        return {name: _table(value) for name, value in self.figures().items() if value is not None}

    def to_dict(self) -> dict:
        return {
            "page": self.page,
            "filters": self.filters.to_params(),
            "kpis": {k: v.value for k, v in self.kpis.items()},
            "comparison": {k: v.to_dict() for k, v in self.kpis.items()},
            "tables": {name: _records(frame) for name, frame in self.tables().items()},
            "notes": [{"kind": note_kind(n), "text": str(n)} for n in self.notes],
            "missing": self.missing,
            "outside": self.outside,
        }


@dataclass
class DataView(PageView):
    datasets: pd.DataFrame | None = None


#: The tables whose figures each page shows (for the note on filters a table cannot take).
PAGE_SOURCES = {
    "overview": ("orders", "tickets", "customers"),
    "channels": ("orders", "tickets"),
    "complaints": ("tickets",),
    "campaigns": ("contacts",),
}


def unapplied_notes(scope: Scope, tables: tuple[str, ...]) -> list[Message]:
    """A note for each table that some filter in force does not apply to."""
    out = []
    for table in tables:
        if scope.snap.has(table) and (keys := scope.filters.unapplied(table, scope.snap, scope.columns)):
            out.append(msg("data.filter_unapplied", filters=", ".join(keys), table=msg(f"table.{table}")))
    return out


def lacks(need: str) -> Message:
    """What a figure lacks, by table and column: "the tickets table has no satisfaction column"."""
    table, _, column = need.partition(".")
    name = msg(f"table.{table}")
    return msg("kpi.lacks.column", table=name, column=column) if column else msg("kpi.lacks.table", table=name)


def reason(kpi: Kpi) -> Message | None:
    """Why a card has no figure or no comparison (None: it has both, or no comparison was asked)."""
    if kpi.missing:
        return lacks(kpi.missing)
    if kpi.note is not None and kpi.value is not None:
        return msg("kpi.no_compare", why=kpi.note)
    return kpi.note


def needs_text(missing: list[str], lang: str) -> str:
    """What a page needs and the data lacks, by table and column (`orders.customer_id`); several
    are alternatives, any one would do: "This page needs the orders table"."""
    parts = []
    for need in missing:
        table, _, column = need.partition(".")
        name = t(f"table.{table}", lang)
        parts.append(
            t("empty.column", lang, table=name, column=column) if column else t("empty.table", lang, table=name)
        )
    return t("empty.missing", lang, needs=t("empty.or", lang).join(parts))


def missing_tables(scope: Scope, page: str) -> list[str]:
    return [t for t in PAGE_TABLES.get(page, ()) if not scope.snap.has(t)]


def kpis(scope: Scope, ids: tuple[str, ...] = OVERVIEW_KPIS, also: tuple[str, ...] = ()) -> dict[str, Kpi]:
    """The KPI cards: value, comparison and what is missing. A figure gets no comparison when
    none can be measured (a state such as a churned flag, or a comparison period the data does
    not reach), and no value when its table has no rows anywhere near the period. Measures in
    `also` are computed in the same scans for the page's other figures: `Kpi` cards too, kept
    apart from the shown ones by the caller."""
    other = scope.compare()
    now, before = query.values(scope, [*ids, *also], [scope.period, other.period if other else None])
    ids = (*ids, *also)
    behavioural = False
    if "churn_rate" in ids:  # the definition in force (the registry's churn_rate follows it)
        d, _ = churn.definition(scope)
        behavioural = d.kind == "behavioural" and churn.available(scope, d)
    out = {}
    for mid in ids:
        lapses = behavioural and mid == "churn_rate"  # measured from the orders, over time
        table = "orders" if lapses else metrics.source_table(mid)
        lacking = None if lapses else metrics.missing(scope, mid)
        value, previous, note = now[mid], before[mid], None
        if lacking:
            value = previous = None
        elif table in scope.spans and not scope.in_period(table):
            first, last = scope.spans[table]
            value, previous, note = None, None, msg("kpi.outside", table=msg(f"table.{table}"), first=first, last=last)
        elif value is None or other is None:  # nothing to compare, or no comparison asked for
            previous = None
        elif not lapses and not metrics.timed(mid):
            previous, note = None, msg("kpi.state")
        elif (why := scope.uncompared(table)) is not None:
            previous, note = None, why
        out[mid] = Kpi(mid, value, previous, *query.delta(value, previous), lacking is None, table, lacking, note)
    return out


#: The page options that only say which sections are open: the tab, Channel mix's journeys (`more`).
SECTION_OPTIONS = frozenset({"tab", "more"})


def sections_apart(filters: Filters) -> Filters:
    """The filters with every page option but those that only open sections (`SECTION_OPTIONS`):
    what a page's figures depend on, whichever of its sections is open."""
    return replace(filters, extra=tuple(kv for kv in filters.extra if kv[0] not in SECTION_OPTIONS))


def _tab_free_key(scope: Scope, *args) -> tuple:
    """The state of a scope apart from the open sections: the data (its physical tables), the row
    scope, the period and the filters (`sections_apart`)."""
    tables, filters = tuple(sorted(scope.snap.tables.items())), sections_apart(scope.filters)
    return (str(scope.ws.path), tables, scope.snap.rows, filters, scope.period, scope.data_end, *args)


def every_tab(func):
    """Memoise what a page computes alike on each of its tabs and sections (its cards, the tables
    every tab shows, Channel mix's figures above the fold), once per state apart from the open
    sections (insight/cache.py): a tab switch, opening a section, and the CLI's view of every
    section reuse it. Its results are shared: `own_cards` gives a view cards of its own."""
    return memo(32, key=_tab_free_key)(func)


def own_cards(cards: dict[str, Kpi]) -> dict[str, Kpi]:
    """Copies of shared cards, for a view that may annotate its own (`note`, `available`)."""
    return {mid: replace(card) for mid, card in cards.items()}


def kpi(mid: str, value, previous, table: str, note: Message | None = None) -> Kpi:
    """A card's figures; `note` says why there is no comparison (none without a value)."""
    if value is None:
        note = None
    if note is not None:
        previous = None
    return Kpi(mid, value, previous, *query.delta(value, previous), True, table, None, note)


def grain(scope: Scope, table: str = "orders") -> str:
    """The time bucket that fits the data in the period: hours for a day or two of data, days up
    to two months, weeks up to half a year, months beyond."""
    if scope.period is None:
        return "month"
    start, end = scope.period
    if table in scope.spans:  # the part of the period the data reaches
        first, last = scope.spans[table]
        start, end = max(start, first), min(end, last)
    return formatting.grain_for_days((end - start).days + 1)


def coverage(scope: Scope) -> pd.DataFrame:
    """Which dated tables the period covers: table, first, last (their dates), in_period."""
    rows = [
        {"table": t, "first": first, "last": last, "in_period": scope.in_period(t)}
        for t, (first, last) in scope.spans.items()
    ]
    return pd.DataFrame(rows, columns=["table", "first", "last", "in_period"])


def page_view(ws: Workspace, link: str, rows: RowScope | None = None, everything: bool = True) -> PageView:
    """The figures of one page view, from a share link (path and query, or a whole URL), as a
    user who may see `rows` sees them (default: every row). With `everything` off (the app) a
    section below the fold or behind another tab is computed only when the link opens it; the
    CLI and reports get every section."""
    from insight.views import pages  # the pages' views build on this module

    page, query = parse_link(link)
    filters, notes = options.parse(page, query)  # the one parse of a link's state
    scope = Scope.open(ws, filters, notes, rows, page)
    view = pages.VIEWS.get(page, PageView)(page, filters, notes=list(scope.notes))
    if scope.rows.excludes(scope.filters):  # a link carries filters, never rights: nothing of theirs
        view.outside = True
        return view
    if scope.period:
        view.period = Period(scope.period[0], scope.period[1], scope.snap.version, scope.basis)
    view.missing = missing_tables(scope, page)
    view.notes += unapplied_notes(scope, PAGE_SOURCES.get(page, ()))
    if page == "data":
        view.datasets = ws.datasets()
    elif page in pages.BUILD and not view.missing:
        pages.BUILD[page](scope, view, everything)
    return view


def rows_or_none(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """`frame` when it has rows, else None (the view has no such table)."""
    return frame if frame is not None and len(frame) else None


def parse_link(link: str) -> tuple[str, str]:
    parts = urlsplit(link.strip())
    path = parts.path.strip("/").split("/")[-1] if parts.path.strip("/") else DEFAULT_PAGE
    if path not in PAGES:
        from insight.errors import InsightError

        raise InsightError(msg("error.unknown_page", page=path), hint=msg("error.pages", pages=", ".join(PAGES)))
    return path, parts.query


def _table(value) -> pd.DataFrame:
    """A figure as a table: a table as it is, a record (`to_dict()`, or a summary dict) as one row."""
    if isinstance(value, pd.DataFrame):
        return value
    return pd.DataFrame([value if isinstance(value, dict) else value.to_dict()])


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as plain values: times as text, dates ISO, missing cells None. Column by column
    (a table has few columns and many cells: a whole-frame `where` and `to_dict` cost more than
    the cells)."""
    names, columns = list(frame.columns), []
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
        cells = values.to_numpy(dtype=object, copy=True)
        cells[values.isna().to_numpy()] = None
        columns.append([_plain(v) for v in cells.tolist()])
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else [{}] * len(frame)


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value
