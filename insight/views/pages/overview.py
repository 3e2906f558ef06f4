"""The Overview's figures: KPI cards with their trend, what moved, overdue tickets and alerts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from insight.domain import complaints, overview
from insight.semantic import query
from insight.semantic.scope import Scope
from insight.views.views import OVERVIEW_KPIS, PageView, coverage, grain, kpis


@dataclass
class OverviewView(PageView):
    #: Which dated tables the period covers (table, first, last, in_period).
    coverage: pd.DataFrame | None = None
    #: The KPIs over time, a `series` column telling the current period from the comparison.
    series: pd.DataFrame | None = None
    #: What moved each metric (`revenue`, `complaints`...), by dimension; empty without a comparison.
    moved: dict[str, pd.DataFrame] = field(default_factory=dict)
    overdue: pd.DataFrame | None = None
    alerts: pd.DataFrame | None = None

    def figures(self) -> dict[str, object]:
        out = super().figures()  # `moved` is one table per metric, after the series
        moved = {f"moved_{m}": frame for m, frame in out.pop("moved").items()}
        head = {k: out.pop(k) for k in ("coverage", "series")}
        return {**head, **moved, **out}


def build(scope: Scope, view: OverviewView, everything: bool = True) -> None:
    cards, over_time, (moved, overdue) = query.together(
        scope,
        lambda: kpis(scope, OVERVIEW_KPIS, also=("linked_complaints",)),  # (the coverage note's, same scan)
        lambda: overview.series(scope, OVERVIEW_KPIS, grain(scope)),
        lambda: (overview.what_moved(scope), complaints.overdue(scope, tiers=False)),
    )
    view.kpis = cards
    linked = view.kpis.pop("linked_complaints").value
    view.coverage = coverage(scope)
    if view.kpis["revenue"].note is not None:  # no comparison for the orders: no comparison line
        over_time = over_time[over_time["series"] == "current"]
    view.series = over_time
    view.moved = {m: frame if view.kpis[m].note is None else frame.head(0) for m, frame in moved.items()}
    if overdue is not None:
        view.overdue = overdue.rows
    view.alerts = pd.DataFrame(overview.alerts(scope, moved, overdue))
    view.notes += complaints.coverage_notes(
        scope, {"linked_complaints": linked, "complaints": view.kpis["complaints"].value}
    )
