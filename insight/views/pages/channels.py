"""Channel mix's figures: channels over time, cross-tabs, acquisition, service, and below the
fold how customers move between channels (migration) and the part each channel plays (roles)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from insight.domain import channels
from insight.i18n import msg
from insight.semantic import query
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import CHANNEL_KPIS, PageView, every_tab, grain, kpis, own_cards


@dataclass
class ChannelsView(PageView):
    over_time: pd.DataFrame | None = None
    channel_region: pd.DataFrame | None = None
    channel_segment: pd.DataFrame | None = None
    acquisition: pd.DataFrame | None = None
    #: First channel -> latest channel per customer (below the fold: None until opened in the app).
    migration: pd.DataFrame | None = None
    service: pd.DataFrame | None = None
    #: Each channel's share of customers in each role (below the fold, like `migration`).
    roles: pd.DataFrame | None = None


def build(scope: Scope, view: ChannelsView, everything: bool = True) -> None:
    cards, view.over_time, cross, view.acquisition, view.service = _above_fold(scope)
    view.kpis = own_cards(cards)
    view.channel_region, view.channel_segment = cross["region"], cross["segment"]
    if everything or read("channels", scope.filters)["more"]:  # the journeys section is open
        view.migration, view.roles = _journeys(scope)
    if not scope.has("orders", "channel"):
        view.notes.append(msg("data.no_column", table=msg("table.orders"), column="channel"))


@every_tab
def _above_fold(scope: Scope) -> tuple:
    """The figures above the fold (the same with the journeys open or closed: computed once for
    both, and for the CLI's view of every section): the cards, channels over time, the
    cross-tabs, acquisition and service."""
    g = grain(scope)
    (cards, service), over_time, (cross, acquisition) = query.together(
        scope,
        lambda: (kpis(scope, CHANNEL_KPIS), channels.service(scope)),
        lambda: channels.over_time(scope, g),
        lambda: (channels.crosstabs(scope, ("region", "segment")), channels.acquisition(scope, g)),
    )
    return cards, over_time, cross, acquisition, service


@every_tab
def _journeys(scope: Scope) -> tuple:
    """The journeys section (migration and roles), computed once per state for the app's open
    section and the CLI's view of every section."""
    return channels.migration(scope), channels.roles(scope)
