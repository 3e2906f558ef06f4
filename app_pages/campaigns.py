"""Campaigns: what each campaign cost and earned, its uplift against control, who responded,
the funnel and the timeline. A click on a campaign drills every page to its customers."""

from functools import partial

import streamlit as st

from insight.charts import campaigns as campaign_charts
from insight.escape import md
from insight.ui.cache import view
from insight.ui.interact import chart, page_header
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice, number
from insight.ui.widgets import chart_or_why, kpi_cards, ready, table
from insight.views.views import CAMPAIGN_KPIS

ctx = context()
t = ctx.t


def attr_label(a: str) -> str:
    return t("camp.attr.age_band") if a == "age_band" else t(f"dim.{a}")


ctx, _ = page_header(ctx, "campaigns")
top = st.columns([1, 2])
with top[0]:
    number("win", t("camp.window"))
with top[1]:
    attr = choice("attr", t("camp.who.pick"), attr_label)
pv = guard(view, ctx, "campaigns")
if ready(ctx, pv) and pv.campaigns is not None:
    kpi_cards(ctx, {m: pv.kpis[m] for m in CAMPAIGN_KPIS}, per_row=4)
    camps = pv.campaigns
    label = camps["name"].fillna(camps["campaign_id"]) if "name" in camps else camps["campaign_id"]
    camps = camps.assign(
        label=[f"{c} · {n}" if n != c else c for c, n in zip(camps["campaign_id"], label, strict=True)],
        verdict=[
            t(f"camp.verdict.{v}", pts=f"{u * 100:+.1f}" if u == u and u is not None else "—")
            for v, u in zip(camps["verdict"], camps["uplift"], strict=True)
        ],
    )
    left, right = st.columns(2)
    with left:
        chart(lambda: campaign_charts.conversion(camps, t("camp.conversion")), "camp_conversion", dim="campaign")
    with right:
        measured = camps[camps["uplift"].notna()]
        if chart_or_why(ctx, measured, t("camp.uplift.none")):
            chart(lambda: campaign_charts.uplift(measured, t("camp.uplift")), "camp_uplift", dim="campaign")
    for row in camps.itertuples():
        st.markdown(f"**{md(row.label)}**: {md(row.verdict)}")
    if pv.window.own_revenue:
        st.caption(t("camp.window.own"))
    st.subheader(t("camp.table"))
    cols = [
        c
        for c in (
            "campaign_id",
            "name",
            "channel",
            "start_date",
            "end_date",
            "spend",
            "contacted",
            "responded",
            "converted",
            "response_rate",
            "conversion_rate",
            "attributed_revenue",
            "roi",
            "cost_per_conversion",
            "control",
            "uplift",
            "verdict",
        )
        if c in camps
    ]
    table(ctx, camps[cols], prefix="col")
    if pv.who_responded is not None:
        who = lambda: campaign_charts.who_responded(pv.who_responded, t("camp.who", attr=attr_label(attr)), t)  # noqa: E731
        chart(who, "camp_who")
    funnels = [(k, f) for k, f in (("campaign", pv.funnel_campaign), ("channel", pv.funnel_channel)) if f is not None]
    for col, (key, frame) in zip(st.columns(len(funnels)), funnels, strict=True):
        with col:
            drawn = partial(campaign_charts.funnel, frame, t("camp.funnel", by=t(f"camp.funnel.{key}")), t)
            chart(drawn, f"camp_funnel_{key}")
    if pv.timeline is not None and "start_date" in camps:
        chart(lambda: campaign_charts.timeline(camps, pv.timeline, t), "camp_timeline", dim="campaign")
