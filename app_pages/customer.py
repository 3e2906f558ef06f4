"""Customer: one customer's orders timeline, tickets and profile (customer?id=...)."""

import streamlit as st

from insight import formatting
from insight.charts import sales as sales_charts
from insight.domain import churn
from insight.domain.customer import customer_view
from insight.escape import md
from insight.ml import churn_model
from insight.ml.clusters import name_text
from insight.ui.interact import chart, page_header
from insight.ui.shell import context, guard
from insight.ui.widgets import record, table

ctx = context()
t = ctx.t
ctx, _ = page_header(ctx, "customer", chips=False)
cid = st.text_input(t("customer.pick"), key="id", bind="query-params").strip()
if not cid:
    st.info(t("customer.none"))
else:
    cv = guard(customer_view, ctx.scope, cid)
    if cv is not None and not cv.found:
        st.warning(t("customer.not_found", id=md(cid)))
    elif cv is not None:
        s = cv.summary
        cols = st.columns(4)
        # Over all of the customer's history: labelled so, not as the period figures of other pages.
        cols[0].metric(t("customer.revenue"), formatting.value(s["revenue"], "money", ctx.lang), border=True)
        cols[1].metric(t("customer.orders_all"), formatting.value(s["orders"], "int", ctx.lang), border=True)
        cols[2].metric(t("customer.tickets_all"), formatting.value(s["tickets"], "int", ctx.lang), border=True)
        cols[3].metric(t("customer.csat"), formatting.value(s["csat"], "num", ctx.lang), border=True)
        left, right = st.columns([3, 2])
        with left:
            if len(cv.orders):
                days = (cv.orders["order_date"].max() - cv.orders["order_date"].min()).days + 1
                drawn = lambda: sales_charts.customer_orders(cv.orders, t, formatting.grain_for_days(days))  # noqa: E731
                chart(drawn, "customer_orders", vary=(cid,))
        with right:
            st.subheader(t("customer.segments"))
            seg = cv.segment
            if seg is None:
                st.caption(t("customer.inactive"))
            else:
                a = st.container()  # a segment name is long: its own row, never cut to "At …"
                b, c = st.columns(2)
                a.metric(
                    t("col.rfm"),
                    t(f"rfm.{seg['rfm']}"),
                    f"R{seg['r']:.0f} F{seg['f']:.0f} M{seg['m']:.0f}",
                    delta_color="off",
                    delta_arrow="off",
                    border=True,
                )
                b.metric(t("col.tier"), t(f"tier.{seg['tier']}"), border=True)
                c.metric(
                    t("col.clv"),
                    formatting.value(seg["clv"], "money", ctx.lang),
                    border=True,
                    help=t("seg.clv.formula"),
                )
                if seg["cluster"]:
                    number, parts = seg["cluster"]
                    name = name_text(parts, ctx.lang)
                    st.caption(f"{t('seg.members.cluster', n=md(number))}: {md(name)}")
                st.caption(t(f"action.{seg['rfm']}"))
            st.subheader(t("customer.profile"))
            record(ctx, cv.profile)
            d, _ = churn.definition(ctx.scope)
            if churn.available(ctx.scope, d):
                model = churn_model.cached(ctx.scope, d)
                if model is None and st.button(t("customer.risk.compute"), key="customer_risk"):
                    with st.spinner(t("churn.model.training")):
                        model = guard(churn_model.train, ctx.scope, d)
                found = churn_model.customer_risk(model, cid) if model is not None else None
                if found is not None:
                    reasons = churn_model.reason_text(found["reasons"], lambda f: churn.label(f, ctx.lang)) or "—"
                    risk = formatting.value(found["risk"], "pct", ctx.lang)
                    st.metric(
                        t("col.risk"),
                        risk,
                        border=True,
                    )
                    st.caption(t("customer.risk", risk=md(risk), days=md(d.days), reasons=md(reasons)))
                elif model is not None:
                    st.caption(t("customer.risk.none"))
        if len(cv.tickets):
            st.subheader(t("customer.tickets"))
            table(ctx, cv.tickets)
