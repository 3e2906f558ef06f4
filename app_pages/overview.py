"""Overview: the health of the business on one screen, and where the change came from."""

from functools import partial

import streamlit as st

from insight import i18n
from insight.charts import sales as sales_charts
from insight.domain.overview import MOVED_DIMS
from insight.ui.alerts import rule_alerts
from insight.ui.cache import view
from insight.ui.interact import chart, page_header, view_rows
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice
from insight.ui.widgets import alert_list, chart_or_why, kpi_cards, period_coverage, ready, table, view_notes
from insight.views.views import grain, lacks

ctx = context()
t = ctx.t
ctx, _ = page_header(ctx, "overview")
pv = guard(view, ctx, "overview", {"mv": "", "by": ""})  # the figures are the same for every split
if ready(ctx, pv):
    period_coverage(ctx, pv.coverage)
    series = pv.series
    current = series[series["series"] == "current"]
    kpi_cards(ctx, pv.kpis, sparks={k: current[k].tolist() for k in pv.kpis if k in current})
    view_notes(ctx, pv, kinds=("coverage",))

    g = grain(ctx.scope)
    left, right = st.columns([3, 2])
    with left:
        if chart_or_why(ctx, current, t("overview.trend.none")):
            chart(lambda: sales_charts.trend(series, t, g), "overview_trend", grain=g)
            st.caption(t("drill.hint"))
    with right:
        st.subheader(t("overview.alerts"))
        alert_list(ctx, pv.alerts)
        rule_alerts(ctx)

    st.subheader(t("overview.moved"), help=t("overview.moved.help"))
    a, b = st.columns(2)
    with a:
        metric = choice("mv", t("overview.moved.metric"), lambda m: t(f"metric.{m}"), widget="segmented")
    with b:
        present = set(pv.moved["revenue"]["dimension"]) | set(pv.moved["complaints"]["dimension"])
        dims = tuple(d for d in MOVED_DIMS if d in present) or MOVED_DIMS  # only splits the data has
        dim = choice("by", t("overview.moved.dim"), lambda d: t(f"dim.{d}"), widget="segmented", options=dims)
    moved = pv.moved[metric]
    card = pv.kpis[metric]
    if moved.empty and ctx.filters.cmp == "none":
        st.info(t("overview.moved.none"))
    elif moved.empty and (card.missing or card.note and card.value is None):  # no figure at all
        why = lacks(card.missing) if card.missing else card.note
        st.info(t("overview.moved.empty", why=i18n.text(why, ctx.lang, markdown=True)))
    elif moved.empty and card.note:
        st.info(t("overview.moved.uncompared", why=i18n.text(card.note, ctx.lang, markdown=True)))
    elif moved.empty or moved[moved["dimension"] == dim].empty:
        st.info(t("overview.moved.nothing", dim=t(f"dim.{dim}")))
    else:
        c1, c2 = st.columns([3, 2])
        with c1:
            drawn = partial(sales_charts.waterfall, moved, dim, t(f"metric.{metric}"), t)
            chart(drawn, f"moved_{metric}_{dim}", dim=dim)
        with c2:
            part = moved[moved["dimension"] == dim].drop(columns="dimension")
            table(ctx, part, prefix="overview.col")

    if pv.overdue is not None and len(pv.overdue):  # up to 500 rows: formatted and sent once opened
        with st.expander(t("overview.overdue"), icon=":material/alarm:", key="overdue_open", on_change="rerun") as box:
            if box.open:
                table(ctx, pv.overdue)
    view_rows(ctx, "orders", "overview_rows")
