"""The Complaints page's figures: categories, time limits (工单时限, 及时率, 超期预警),
satisfaction, the customers behind the complaints and text sorting. Only the open tab's figures
are computed (the tab is part of the link, for the CLI too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from insight.domain import complaints
from insight.errors import InsightError
from insight.i18n import msg
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import (
    COMPLAINT_KPIS,
    SUGGESTIONS_SHOWN,
    PageView,
    Record,
    every_tab,
    kpis,
    own_cards,
    rows_or_none,
)


@dataclass(frozen=True)
class TicketsCount(Record):
    tickets: int


@dataclass(frozen=True)
class OverdueCount(Record):
    tickets: int
    as_of: dt.datetime | dt.date | None


@dataclass(frozen=True)
class RepeatCount(Record):
    customers: int  # repeat complainers
    complainers: int  # every customer with a complaint


@dataclass
class ComplaintsView(PageView):
    categories: pd.DataFrame | None = None  # the Pareto of categories
    tickets: pd.DataFrame | None = None  # the tickets of the chosen subcategory (`sub=`)
    tickets_count: TicketsCount | None = None
    trend: pd.DataFrame | None = None  # categories tab
    durations: pd.DataFrame | None = None  # time tab: p50/p90 of resolution and first response
    histogram: pd.DataFrame | None = None
    on_time_category: pd.DataFrame | None = None
    on_time_priority: pd.DataFrame | None = None
    on_time_channel: pd.DataFrame | None = None
    overdue: pd.DataFrame | None = None  # the first OVERDUE_SHOWN of the backlog
    overdue_count: OverdueCount | None = None
    satisfaction_category: pd.DataFrame | None = None  # satisfaction tab
    satisfaction_channel: pd.DataFrame | None = None
    matrix: pd.DataFrame | None = None  # importance (complaints) against satisfaction
    repeat: pd.DataFrame | None = None
    repeat_count: RepeatCount | None = None
    churn_by_category: pd.DataFrame | None = None  # customers tab
    value_at_stake: pd.DataFrame | None = None
    text_model: dict | None = None  # text tab: the classifier's summary, where tickets are labelled
    suggestions: pd.DataFrame | None = None
    text_clusters: pd.DataFrame | None = None  # ... else clusters to name


def build(scope: Scope, view: ComplaintsView, everything: bool = True) -> None:
    opts = read("complaints", scope.filters)
    tab = opts["tab"]
    cards, found, missing_dates, coverage = _common(scope)
    view.kpis = own_cards(cards)
    if found is not None and len(found):
        view.categories = found
    elif found is not None:
        view.notes.append(msg("data.no_complaints"))
    sub = opts["sub"]
    if sub:
        view.tickets = complaints.ticket_list(scope, sub)
        view.tickets_count = TicketsCount(complaints.subcategory_count(scope, sub))
    if missing_dates:
        view.notes.append(msg("data.undated_tickets", count=f"{missing_dates:,}"))
    if not scope.has("tickets", "customer_id"):
        view.notes.append(msg("data.no_column", table=msg("table.tickets"), column="customer_id"))
    view.notes += coverage
    if tab == "categories":
        view.trend = rows_or_none(complaints.trend(scope))
    elif tab == "time":
        _time(scope, view)
    elif tab == "satisfaction":
        by_category = complaints.satisfaction(scope, "category")
        view.satisfaction_category = rows_or_none(by_category)
        view.satisfaction_channel = rows_or_none(complaints.satisfaction(scope, "channel"))
        view.matrix = rows_or_none(complaints.matrix(by_category))
        repeat = complaints.repeat_complainers(scope)
        if repeat is not None:
            view.repeat = repeat.head(complaints.TICKETS_SHOWN)
            view.repeat_count = RepeatCount(len(repeat), complaints.complainers(scope))
    elif tab == "customers":
        view.churn_by_category = rows_or_none(complaints.churn_by_category(scope))
        view.value_at_stake = rows_or_none(complaints.value_at_stake(scope))
    elif tab == "text":
        _text(scope, view, opts["k"])


@every_tab
def _common(scope: Scope) -> tuple:
    """What every tab shows (computed once for all of them): the cards, the categories' Pareto,
    the undated tickets and the coverage notes."""
    return (
        kpis(scope, COMPLAINT_KPIS),
        complaints.pareto(scope),
        complaints.undated(scope),
        complaints.coverage_notes(scope),
    )


def _time(scope: Scope, view: ComplaintsView) -> None:
    spans = complaints.durations(scope)
    view.durations = pd.DataFrame(
        [
            {"measure": m, **(spans[m] or {"p50": None, "p90": None, "tickets": 0})}
            for m in ("resolution", "first_response")
        ]
    ).assign(negative=spans["negative"], no_creation_time=spans["no_creation_time"])
    view.histogram = rows_or_none(complaints.resolution_histogram(scope))
    for by in ("category", "priority", "channel"):
        setattr(view, f"on_time_{by}", rows_or_none(complaints.on_time(scope, by)))
    backlog = complaints.overdue(scope)
    if backlog is not None:
        view.overdue = backlog.rows
        view.overdue_count = OverdueCount(backlog.count, complaints.as_of(scope))


def _text(scope: Scope, view: ComplaintsView, k: int) -> None:
    """Suggested categories where some tickets are labelled, else clusters to name."""
    from insight.ml import textsort

    # A user limited to some rows reads (and can only read) the texts of their rows.
    snap = None if scope.rows.everything else scope.snap
    try:
        found = textsort.suggest(scope.ws, snap)
        if found is not None:
            view.notes += found.notes
            view.text_model = found.summary()
            view.suggestions = found.suggested.drop(columns="_row").head(SUGGESTIONS_SHOWN)
            return
        grouped = textsort.cluster(scope.ws, k, snap)
        view.notes += grouped.notes
        view.text_clusters = grouped.clusters
    except InsightError as exc:
        view.notes.append(msg("data.text_sorting", problem=exc.message, hint=exc.hint or ""))
