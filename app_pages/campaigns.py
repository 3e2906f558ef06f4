"""Campaigns: what each campaign cost and earned, its uplift against control, who responded,
the funnel and the timeline. A click on a campaign drills every page to its customers."""

import plotly.graph_objects as go
import streamlit as st

from insight import chart_style
from insight.charts import base as chart_base
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


def uplift_chart(measured) -> None:
    """Uplift per campaign with its 95 % interval; significant lifts in green."""
    fig = go.Figure(
        go.Bar(
            x=measured["label"],
            y=measured["uplift"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": measured["uplift_high"] - measured["uplift"],
                "arrayminus": measured["uplift"] - measured["uplift_low"],
            },
            customdata=measured["campaign_id"],
            marker_color=[
                chart_style.PALETTE[2] if s is True else chart_style.PALETTE[7] for s in measured["significant"]
            ],
            text=measured["verdict"],
            hovertemplate="%{x}: %{y:+.1%} · %{text}<extra></extra>",
        )
    )
    fig.update_layout(yaxis={"tickformat": "+.0%"}, xaxis={"type": "category"})
    chart(chart_base.layout(fig, t("camp.uplift")), "camp_uplift", dim="campaign")


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
        fig = go.Figure(
            go.Bar(
                x=camps["label"],
                y=camps["conversion_rate"],
                customdata=camps["campaign_id"],
                marker_color=chart_style.PALETTE[0],
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            )
        )
        fig.update_layout(yaxis={"tickformat": ".0%"}, xaxis={"type": "category"})
        chart(chart_base.layout(fig, t("camp.conversion")), "camp_conversion", dim="campaign")
    with right:
        measured = camps[camps["uplift"].notna()]
        if chart_or_why(ctx, measured, t("camp.uplift.none")):
            uplift_chart(measured)
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
        who = pv.who_responded
        shown = who.assign(value=[str(v) if v is not None else "—" for v in who["value"]])
        fig = go.Figure()
        for rate, name in (("response_rate", "camp.stage.responded"), ("conversion_rate", "camp.stage.converted")):
            fig.add_bar(x=shown["value"], y=shown[rate], name=t(name))
        fig.update_layout(yaxis={"tickformat": ".0%"}, xaxis={"type": "category"}, barmode="group")
        chart(chart_base.layout(fig, t("camp.who", attr=attr_label(attr))), "camp_who")
    funnels = [(k, f) for k, f in (("campaign", pv.funnel_campaign), ("channel", pv.funnel_channel)) if f is not None]
    for col, (key, frame) in zip(st.columns(len(funnels)), funnels, strict=True):
        with col:
            fig = go.Figure()
            for stage in ("contacted", "responded", "converted"):
                fig.add_bar(x=frame["value"].astype(str), y=frame[stage], name=t(f"camp.stage.{stage}"))
            fig.update_layout(barmode="group", xaxis={"type": "category"})
            chart(chart_base.layout(fig, t("camp.funnel", by=t(f"camp.funnel.{key}"))), f"camp_funnel_{key}")
    if pv.timeline is not None and "start_date" in camps:
        line = pv.timeline
        fig = go.Figure()
        fig.add_bar(
            x=camps["start_date"],
            y=camps["spend"],
            name=t("camp.spend"),
            text=camps["campaign_id"],
            customdata=camps["campaign_id"],
            marker_color=chart_style.PALETTE[1],
            meta={"fmt": "money"},
        )
        line_on_top = {"yaxis": "y2", "meta": {"fmt": "money"}}  # the chart rules: the line over the bars
        fig.add_scatter(x=line["month"], y=line["revenue"], mode="lines", name=t("metric.revenue"), **line_on_top)
        fig.update_layout(yaxis={"side": "right"}, yaxis2={"overlaying": "y", "side": "left", "showgrid": False})
        dates = [*line["month"], *camps["start_date"]]
        chart(
            chart_base.time_axis(chart_base.layout(fig, t("camp.timeline")), "month", dates),
            "camp_timeline",
            dim="campaign",
        )
