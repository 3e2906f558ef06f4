"""The Segments page's figures: RFM, movement between segments, value tiers, clusters, lifetime
value and a group's members. In the app only the open tab's figures are computed."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from insight.domain import customer_value, segment_tables, segments
from insight.i18n import msg
from insight.ml import clusters
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import (
    MEMBERS_SHOWN,
    SEGMENT_KPIS,
    PageView,
    Record,
    every_tab,
    kpi,
    own_cards,
    rows_or_none,
    unapplied_notes,
)


@dataclass(frozen=True)
class TierChurn(Record):
    """How tier churn is measured: `basis` "explicit" (the customers' flag) or "lapsed"; `known`
    of the `ranked` customers have a flag."""

    basis: str
    known: int
    ranked: int


@dataclass(frozen=True)
class MembersCount(Record):
    customers: int


@dataclass
class SegmentsView(PageView):
    segments: pd.DataFrame | None = None  # one row per RFM segment
    rf_grid: pd.DataFrame | None = None  # RFM tab
    tiers: pd.DataFrame | None = None  # tiers and CLV tabs
    tier_churn: TierChurn | None = None  # tiers tab
    pareto: pd.DataFrame | None = None  # tiers tab
    clv: customer_value.Clv | None = None
    given_tiers: pd.DataFrame | None = None  # the data's own tiers, where it has them
    transitions: pd.DataFrame | None = None  # movement tab
    clusters: pd.DataFrame | None = None  # clusters tab (or a cluster's members)
    silhouette: pd.DataFrame | None = None
    projection: pd.DataFrame | None = None
    members: pd.DataFrame | None = None  # the chosen group's first MEMBERS_SHOWN
    members_count: MembersCount | None = None


#: Each section's figures, computed once per state for the tabs that show them and the CLI's view
#: of every section.
_rf_grid, _tier_table, _churn_basis, _pareto_curve, _given_tiers, _transitions = map(
    every_tab,
    (
        segment_tables.rf_grid,
        segment_tables.tier_table,
        segment_tables.churn_basis,
        segment_tables.pareto_curve,
        segment_tables.given_tiers,
        segment_tables.transitions,
    ),
)


def build(scope: Scope, view: SegmentsView, everything: bool = True) -> None:
    scope = segments.with_segments(scope)
    if not scope.snap.has(segments.SEGMENTS):
        view.missing = ["orders.customer_id"]
        return
    view.notes += unapplied_notes(scope, (segments.SEGMENTS,))
    opts = read("segments", scope.filters)
    tab, k, spec = opts["tab"], opts["k"], opts["members"]
    shown = lambda *tabs: everything or tab in tabs  # noqa: E731
    clv, cards, view.segments = _common(scope)
    view.kpis = own_cards(cards)
    view.clv = clv
    if shown("rfm"):
        view.rf_grid = _rf_grid(scope)
    if shown("tiers", "clv"):
        view.tiers = _tier_table(scope, clv)
    if shown("tiers"):
        view.tier_churn = TierChurn(**_churn_basis(scope))
        view.pareto = _pareto_curve(scope)
        view.given_tiers = rows_or_none(_given_tiers(scope))
    if tab == "movement":
        view.transitions = _transitions(scope)
    found = clusters.run(scope, k) if tab == "clusters" or spec.startswith("cluster:") else None
    if found is not None:
        view.notes += found.notes
        profile = found.profile.copy()
        profile["name"] = profile["name_parts"].map(clusters.name_text)
        view.clusters = profile
        view.silhouette = pd.DataFrame(list(found.silhouettes.items()), columns=["k", "silhouette"])
        view.projection = found.projection
    if spec:
        listed = clusters.members(scope, clv, spec, k=k)
        if listed is None:
            view.notes.append(msg("ignored.members", value=spec))
        else:
            view.members = listed.head(MEMBERS_SHOWN)
            view.members_count = MembersCount(len(listed))


@every_tab
def _common(scope: Scope) -> tuple[customer_value.Clv, dict, pd.DataFrame]:
    """What every tab shows (computed once for all of them): the CLV inputs, the cards and the
    segments table."""
    clv = customer_value.clv_inputs(scope)
    return clv, _kpis(scope, clv), segment_tables.segment_table(scope, clv)


def _kpis(scope: Scope, clv: customer_value.Clv) -> dict:
    """The cards, compared with the same customers ranked over the comparison period."""
    now = segment_tables.summary(scope)
    other = scope.compare()
    before: dict = {}
    why = scope.uncompared("orders")
    if other is not None and why is None:
        previous = replace(segments.with_segments(scope, other.period), period=other.period)
        earlier = customer_value.clv_inputs(previous)
        before = segment_tables.summary(previous)
        if (earlier.retention is None) != (clv.retention is None):  # equity measured two ways: no comparison
            before["customer_equity"] = None
    return {
        mid: kpi(mid, now.get(mid), before.get(mid), "orders", why)
        for mid in (*SEGMENT_KPIS, "gold_share", "silver_share", "basic_share")
    }
