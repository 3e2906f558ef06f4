"""The Campaigns page's figures: each campaign's cost, return and uplift, who responded, the
funnels and the timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from insight.domain import campaigns
from insight.i18n import msg
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import CAMPAIGN_KPIS, PageView, Record, kpi, rows_or_none


@dataclass(frozen=True)
class Window(Record):
    days: int  # the attribution window
    own_revenue: bool  # the contacts carry their own revenue (no attribution from orders)


@dataclass
class CampaignsView(PageView):
    campaigns: pd.DataFrame | None = None  # one row per campaign
    window: Window | None = None
    who_responded: pd.DataFrame | None = None
    funnel_campaign: pd.DataFrame | None = None
    funnel_channel: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None


def build(scope: Scope, view: CampaignsView, everything: bool = True) -> None:
    days, notes = campaigns.window(scope)
    view.notes += notes
    table = campaigns.campaign_table(scope)
    if table is None or table.empty:
        view.notes.append(msg("data.no_contacts"))
        return
    now = campaigns.totals(table)
    other = scope.compare()
    why = scope.uncompared("contacts") if other is not None else None
    before = {}
    if other is not None and why is None:
        before = campaigns.totals(campaigns.campaign_table(replace(scope, period=other.period)))
    for mid in CAMPAIGN_KPIS:
        view.kpis[mid] = kpi(mid, now[mid], before.get(mid), "contacts", why)
    if now["uplift"] is None:  # no campaign in view has a control group
        view.kpis["uplift"].note = msg("kpi.no_control")
    if now["roi"] is None and not scope.has("campaigns", "spend"):
        view.kpis["roi"].missing = "campaigns.spend" if scope.snap.has("campaigns") else "campaigns"
    view.campaigns = table
    view.window = Window(days, bool(campaigns.own_revenue(scope)))
    view.who_responded = rows_or_none(campaigns.who_responded(scope, read("campaigns", scope.filters)["attr"]))
    view.funnel_campaign = campaigns.funnel(table, "campaign_id")
    own = campaigns.contact_funnel(scope)  # the contacts' own channel wins over the campaign's
    if own is not None:
        view.funnel_channel = own
    elif "channel" in table:
        view.funnel_channel = campaigns.funnel(table, "channel")
    view.timeline = rows_or_none(campaigns.timeline(scope, table))
