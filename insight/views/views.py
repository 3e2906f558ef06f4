"""Page figures, computed once for the pages and the CLI `view` alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pandas as pd

from insight import formatting
from insight.auth.access import RowScope
from insight.db.workspace import Workspace
from insight.domain import channels, churn, complaints, overview
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
    "churn": (),  # customers with a churned flag, or orders (behavioural churn): `_churn` checks
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


@dataclass
class PageView:
    page: str
    filters: Filters
    kpis: dict[str, Kpi] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Notes for the reader (insight.i18n messages; `i18n.note_kind` says what each one is).
    notes: list[str | Message] = field(default_factory=list)
    #: What the page needs and the data lacks: tables (`tickets`) or columns (`orders.customer_id`).
    missing: list[str] = field(default_factory=list)
    #: The view's filters ask only for rows outside the reader's row scope: nothing to show.
    outside: bool = False

    def to_dict(self) -> dict:
        return {
            "page": self.page,
            "filters": self.filters.to_params(),
            "kpis": {k: v.value for k, v in self.kpis.items()},
            "comparison": {k: v.to_dict() for k, v in self.kpis.items()},
            "tables": {name: _records(frame) for name, frame in self.tables.items()},
            "notes": [{"kind": note_kind(n), "text": str(n)} for n in self.notes],
            "missing": self.missing,
            "outside": self.outside,
        }


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


def kpis(scope: Scope, ids: tuple[str, ...] = OVERVIEW_KPIS) -> dict[str, Kpi]:
    """The KPI cards: value, comparison and what is missing. A figure gets no comparison when
    none can be measured (a state such as a churned flag, or a comparison period the data does
    not reach), and no value when its table has no rows anywhere near the period."""
    other = scope.compare()
    now, before = query.values(scope, list(ids), [scope.period, other.period if other else None])
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


def page_view(ws: Workspace, link: str, rows: RowScope | None = None) -> PageView:
    """The figures of one page view, from a share link (path and query, or a whole URL), as a
    user who may see `rows` sees them (default: every row)."""
    page, query = parse_link(link)
    filters, notes = options.parse(page, query)  # the one parse of a link's state
    scope = Scope.open(ws, filters, notes, rows, page)
    view = PageView(page, filters, notes=list(scope.notes))
    if scope.rows.excludes(scope.filters):  # a link carries filters, never rights: nothing of theirs
        view.outside = True
        return view
    view.missing = missing_tables(scope, page)
    view.notes += unapplied_notes(scope, PAGE_SOURCES.get(page, ()))
    if page == "overview" and not view.missing:
        _overview(scope, view)
    elif page == "channels" and not view.missing:
        _channels(scope, view)
    elif page in ("segments", "churn", "complaints", "campaigns") and not view.missing:
        from insight.views import sections  # the page sections build on this module

        sections.build(page, scope, view)
    elif page == "data":
        view.tables["datasets"] = ws.datasets()
    if scope.period:
        view.tables["period"] = pd.DataFrame(
            [{"from": scope.period[0], "to": scope.period[1], "version": scope.snap.version, "basis": scope.basis}]
        )
    return view


def _overview(scope: Scope, view: PageView) -> None:
    view.kpis = kpis(scope)
    view.tables["coverage"] = coverage(scope)
    over_time = overview.series(scope, OVERVIEW_KPIS, grain(scope))
    if view.kpis["revenue"].note is not None:  # no comparison for the orders: no comparison line
        over_time = over_time[over_time["series"] == "current"]
    view.tables["series"] = over_time
    moved = overview.what_moved(scope)
    for metric_id, frame in moved.items():
        view.tables[f"moved_{metric_id}"] = frame if view.kpis[metric_id].note is None else frame.head(0)
    overdue = complaints.overdue(scope, tiers=False)
    if overdue is not None:
        view.tables["overdue"] = overdue.head(complaints.OVERDUE_SHOWN)
    view.tables["alerts"] = pd.DataFrame(overview.alerts(scope, moved, overdue))
    view.notes += complaints.coverage_notes(scope)


def _channels(scope: Scope, view: PageView) -> None:
    g = grain(scope)
    view.kpis = kpis(scope, CHANNEL_KPIS)
    view.tables["over_time"] = channels.over_time(scope, g)
    view.tables["channel_region"] = channels.crosstab(scope, "region")
    view.tables["channel_segment"] = channels.crosstab(scope, "segment")
    view.tables["acquisition"] = channels.acquisition(scope, g)
    view.tables["migration"] = channels.migration(scope)
    view.tables["service"] = channels.service(scope)
    view.tables["roles"] = channels.roles(scope)
    if not scope.has("orders", "channel"):
        view.notes.append(msg("data.no_column", table=msg("table.orders"), column="channel"))


def put(view: PageView, name: str, frame: pd.DataFrame | None) -> None:
    """Add `frame` to the view when it has rows."""
    if frame is not None and len(frame):
        view.tables[name] = frame


def parse_link(link: str) -> tuple[str, str]:
    parts = urlsplit(link.strip())
    path = parts.path.strip("/").split("/")[-1] if parts.path.strip("/") else DEFAULT_PAGE
    if path not in PAGES:
        from insight.errors import InsightError

        raise InsightError(msg("error.unknown_page", page=path), hint=msg("error.pages", pages=", ".join(PAGES)))
    return path, parts.query


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
    out = out.astype(object).where(out.notna(), None)
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in out.to_dict("records")]
