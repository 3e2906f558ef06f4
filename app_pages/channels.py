"""Channel mix: channels over time, cross-tabs, acquisition and service; below the fold, opened
on demand (and computed only then), how customers move between channels and each channel's role."""

from functools import partial

import streamlit as st

from insight.charts import kinds as chart_kinds
from insight.domain.channels import ROLES
from insight.ui.cache import view
from insight.ui.interact import chart, page_header, view_rows
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice, flag, section
from insight.ui.widgets import chart_or_why, kpi_cards, ready, table
from insight.views.views import grain

ctx = context()
t = ctx.t
ctx, _ = page_header(ctx, "channels")
pv = guard(view, ctx, "channels", {"measure": "", "share": ""})  # the figures are the same for every measure
if ready(ctx, pv):
    kpi_cards(ctx, pv.kpis, per_row=4)
    a, b = st.columns([3, 1])
    with a:
        measure = choice("measure", t("channels.measure"), lambda m: t(f"measure.{m}"), widget="segmented")
    with b:
        share = flag("share", t("channels.share"))
    title = t("channels.over_time", measure=t(f"measure.{measure}"))
    column = f"{measure}_share" if share else measure
    g = grain(ctx.scope)
    if chart_or_why(ctx, pv.over_time, t("channels.none")):
        chart(
            lambda: chart_kinds.stacked(pv.over_time, column, title, percent=share, grain=g),
            f"channels_time_{column}",
            dim="channel",
        )
        st.caption(t("drill.hint"))

    c1, c2 = st.columns(2)
    for col, dim, frame in ((c1, "region", pv.channel_region), (c2, "segment", pv.channel_segment)):
        with col:
            if chart_or_why(ctx, frame, t("channels.none_by", dim=t(f"dim.{dim}"))):
                title = t(f"channels.heat_{dim}")
                heat = partial(chart_kinds.heatmap, frame, "channel", dim, "revenue", title)
                chart(heat, f"channels_heat_{dim}", dim="channel")

    c3, c4 = st.columns(2)
    with c3:
        if chart_or_why(ctx, pv.acquisition, t("channels.none_customers")):
            acquired = lambda: chart_kinds.stacked(pv.acquisition, "new_customers", t("channels.acquisition"), grain=g)  # noqa: E731
            chart(acquired, "channels_acquisition", dim="channel")
    with c4:
        st.markdown(f"**{t('channels.service')}**")
        if chart_or_why(ctx, pv.service, t("channels.none_service")):
            served = lambda: chart_kinds.bars(pv.service, "channel", "tickets", t("col.tickets"))  # noqa: E731
            chart(served, "channels_service", dim="channel")
    if pv.service is not None and len(pv.service):
        table(ctx, pv.service, prefix="col")

    with section("more", t("channels.journeys"), icon=":material/alt_route:"):
        if pv.migration is not None and chart_or_why(ctx, pv.migration, t("channels.none_customers")):
            moved = lambda: chart_kinds.heatmap(  # noqa: E731
                pv.migration, "first_channel", "latest_channel", "customers", t("channels.migration")
            )
            chart(moved, "channels_migration", dim="channel")
        if pv.roles is not None:
            st.subheader(t("channels.roles"), help=t("channels.roles.help"))
        if pv.roles is not None and chart_or_why(ctx, pv.roles, t("channels.none_customers")):
            percent = {"format": "percent", "min_value": 0, "max_value": 1}
            config = {r: st.column_config.ProgressColumn(t(f"role.{r}"), **percent) for r in ROLES}
            st.dataframe(
                pv.roles, hide_index=True, width="stretch", column_config={"channel": t("col.channel"), **config}
            )
    view_rows(ctx, "orders", "channels_rows")
