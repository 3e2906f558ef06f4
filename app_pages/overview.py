"""Overview: the health of the business on one screen."""

import plotly.graph_objects as go
import streamlit as st

from insight.ui.cache import view
from insight.ui.shell import context, empty_state, guard, show_notes
from insight.ui.widgets import kpi_cards

ctx = context()
st.title(ctx.t("page.overview"))
show_notes(ctx)
pv = guard(view, ctx, "overview")
if pv is not None and pv.missing:
    empty_state(ctx, pv.missing)
elif pv is not None:
    trend = pv.tables["trend"]
    current = trend[trend["series"] == "current"]
    sparks = {"revenue": current["revenue"].tolist(), "active_customers": current["active_customers"].tolist()}
    kpi_cards(ctx, pv.kpis, sparks=sparks)
    st.subheader(ctx.t("overview.trend"))
    fig = go.Figure()
    for series, dash in (("current", "solid"), ("comparison", "dot")):
        part = trend[trend["series"] == series]
        fig.add_scatter(
            x=current["bucket"].iloc[: len(part)] if series == "comparison" else part["bucket"],
            y=part["revenue"],
            name=f"{ctx.t('metric.revenue')} · {ctx.t('overview.' + series)}",
            line={"dash": dash},
            customdata=part["bucket"],
        )
    fig.add_bar(x=current["bucket"], y=current["active_customers"], name=ctx.t("metric.active_customers"),
                yaxis="y2", opacity=0.3)
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False}, height=380,
                      margin={"t": 10, "b": 10}, legend={"orientation": "h"})
    st.plotly_chart(fig, width="stretch")
