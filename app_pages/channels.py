"""Channel mix: channels over time, cross-tabs, acquisition, migration, service and roles."""

import streamlit as st

from insight.charts import kinds as chart_kinds
from insight.domain.channels import ROLES
from insight.ui.cache import view
from insight.ui.interact import chart, page_header, view_rows
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice, flag
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
    none = t("channels.none")
    if chart_or_why(ctx, pv.tables["over_time"], none):
        chart(
            chart_kinds.stacked(pv.tables["over_time"], column, title, percent=share, grain=g),
            f"channels_time_{column}",
            dim="channel",
        )
        st.caption(t("drill.hint"))

    c1, c2 = st.columns(2)
    for col, dim in ((c1, "region"), (c2, "segment")):
        with col:
            frame = pv.tables[f"channel_{dim}"]
            if chart_or_why(ctx, frame, t("channels.none_by", dim=t(f"dim.{dim}"))):
                title = t(f"channels.heat_{dim}")
                chart(
                    chart_kinds.heatmap(frame, "channel", dim, "revenue", title), f"channels_heat_{dim}", dim="channel"
                )

    c3, c4 = st.columns(2)
    with c3:
        if chart_or_why(ctx, pv.tables["acquisition"], t("channels.none_customers")):
            chart(
                chart_kinds.stacked(pv.tables["acquisition"], "new_customers", t("channels.acquisition"), grain=g),
                "channels_acquisition",
                dim="channel",
            )
    with c4:
        if chart_or_why(ctx, pv.tables["migration"], t("channels.none_customers")):
            chart(
                chart_kinds.heatmap(
                    pv.tables["migration"], "first_channel", "latest_channel", "customers", t("channels.migration")
                ),
                "channels_migration",
                dim="channel",
            )

    st.subheader(t("channels.service"))
    service = pv.tables["service"]
    if chart_or_why(ctx, service, t("channels.none_service")):
        s1, s2 = st.columns([2, 3])
        with s1:
            chart(chart_kinds.bars(service, "channel", "tickets", t("col.tickets")), "channels_service", dim="channel")
        with s2:
            table(ctx, service, prefix="col")

    st.subheader(t("channels.roles"), help=t("channels.roles.help"))
    roles = pv.tables["roles"]
    if chart_or_why(ctx, roles, t("channels.none_customers")):
        st.dataframe(
            roles,
            hide_index=True,
            width="stretch",
            column_config={
                "channel": t("col.channel"),
                **{
                    r: st.column_config.ProgressColumn(t(f"role.{r}"), format="percent", min_value=0, max_value=1)
                    for r in ROLES
                },
            },
        )
    view_rows(ctx, "orders", "channels_rows")
