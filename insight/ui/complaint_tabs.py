"""The sections of the Complaints page (categories, time limits, satisfaction, customers, free
text), drawn from the page view."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import formatting, settings
from insight.auth import audit
from insight.charts import churn as churn_charts
from insight.charts import complaints as complaint_charts
from insight.charts import kinds as chart_kinds
from insight.escape import md
from insight.ml import textsort
from insight.ui.auth import origin
from insight.ui.interact import chart, customer_links
from insight.ui.shell import Context, guard
from insight.ui.urlstate import choice, current, set_option
from insight.ui.widgets import table


def labelled(ctx: Context, frame, column: str, prefix: str):
    """`frame` with the codes of `column` shown through the catalog (`prefix.code`)."""
    return frame.assign(**{column: [ctx.t(f"{prefix}.{v}") for v in frame[column]]})


def _tiers(ctx: Context, values) -> list:
    return [ctx.t(f"tier.{v}") if isinstance(v, str) else None for v in values]


def fmt(ctx: Context, value, kind: str = "num") -> str:
    return formatting.value(value, kind, ctx.lang)


def categories(ctx: Context, pv, sub: str) -> None:
    t = ctx.t
    if pv.categories is not None:
        cats = pv.categories
        level = cats["level"].iloc[0]
        fig = lambda: complaint_charts.complaint_pareto(cats, t("cmp.pareto", level=t(f"cmp.level.{level}")), t)  # noqa: E731
        if level == "category":
            chart(fig, "cmp_pareto", dim="category")
        else:
            chart(fig, "cmp_pareto_sub", pick="sub")
        st.caption(t("cmp.pareto.hint"))
    if sub and pv.tickets is not None:
        st.subheader(t("cmp.tickets", sub=md(sub)))
        listed = pv.tickets
        count = pv.tickets_count.tickets
        st.caption(t("cmp.tickets.count", count=f"{count:,}", shown=min(count, len(listed))))
        listed = listed.assign(tier=_tiers(ctx, listed["tier"]))
        customer_links(listed, key="cmp_tickets")
        st.button(t("cmp.tickets.close"), on_click=set_option, args=("sub", ""), key="cmp_close")
    if pv.trend is not None:
        trend = pv.trend
        chart(lambda: complaint_charts.weekly_stacked(trend, t("cmp.trend"), t), "cmp_trend")
        odd = trend[trend["anomaly"]]
        if len(odd):
            weeks = ", ".join(f"{w:%Y-%m-%d} {c}" for w, c in zip(odd["week"], odd["category"], strict=True))
            st.warning(t("cmp.anomalies", weeks=md(weeks)), icon=":material/warning:")


def time(ctx: Context, pv) -> None:
    t = ctx.t
    spans = pv.durations.set_index("measure")
    for measure, key in (("resolution", "cmp.durations"), ("first_response", "cmp.first_response")):
        row = spans.loc[measure]
        if row["tickets"]:
            st.markdown(
                t(
                    key,
                    p50=fmt(ctx, row["p50"], "hours"),
                    p90=fmt(ctx, row["p90"], "hours"),
                    tickets=fmt(ctx, row["tickets"], "int"),
                )
            )
    if bool(spans["no_creation_time"].iloc[0]):
        st.caption(t("cmp.no_creation_time"))
    if int(spans["negative"].iloc[0]):
        st.caption(t("cmp.negative", count=f"{int(spans['negative'].iloc[0]):,}"))
    if pv.histogram is not None:
        chart(lambda: chart_kinds.histogram(pv.histogram, t("cmp.histogram"), t("cmp.hours")), "cmp_hist")
    for col, by in zip(st.columns(3), ("category", "priority", "channel"), strict=True):
        if (frame := getattr(pv, f"on_time_{by}")) is not None:
            frame = labelled(ctx, frame, "value", "priority") if by == "priority" else frame
            with col:
                chart(
                    partial(chart_kinds.rate_by, frame, "on_time_rate", t("cmp.on_time", by=t(f"cmp.by.{by}"))),
                    f"cmp_on_time_{by}",
                )
    sla_form(ctx)
    st.subheader(t("cmp.overdue"))
    if pv.overdue is not None and len(pv.overdue):
        count, as_of = pv.overdue_count.tickets, pv.overdue_count.as_of
        st.caption(t("cmp.overdue.count", count=f"{count:,}", as_of=md(as_of)))
        backlog = labelled(ctx, pv.overdue, "level", "priority").drop(columns=["due"])
        if "tier" in backlog:
            backlog = backlog.assign(tier=_tiers(ctx, backlog["tier"]))
        customer_links(backlog, key="cmp_overdue")
    else:
        st.success(t("cmp.overdue.none"), icon=":material/check_circle:")


def sla_form(ctx: Context) -> None:
    """The SLA hours per priority (`sla=`, a global option: the on-time rate follows it everywhere)."""
    t = ctx.t
    given = current("sla")
    hours_now = (
        dict(zip(settings.SLA_HOURS, map(float, given.split(",")), strict=True)) if given else settings.SLA_HOURS
    )
    with st.form("sla_form"):
        st.caption(t("cmp.sla"))
        inputs = st.columns(len(settings.SLA_HOURS))
        hours = [
            box.number_input(t(f"priority.{level}"), 0.5, 8760.0, float(hours_now[level]), step=1.0, key=f"sla_{level}")
            for box, level in zip(inputs, settings.SLA_HOURS, strict=True)
        ]
        if st.form_submit_button(t("cmp.sla.apply")):
            text = ",".join(f"{h:g}" for h in hours)
            set_option("sla", "" if dict(zip(settings.SLA_HOURS, hours, strict=True)) == settings.SLA_HOURS else text)
            st.rerun()


def satisfaction(ctx: Context, pv) -> None:
    t = ctx.t
    for col, by in zip(st.columns(2), ("category", "channel"), strict=True):
        if (frame := getattr(pv, f"satisfaction_{by}")) is not None:
            with col:
                chart(partial(chart_kinds.rate_by, frame, "csat", t(f"cmp.csat.{by}"), ".2f"), f"cmp_csat_{by}")
                table(ctx, frame, prefix="col")
    if pv.matrix is not None:
        chart(lambda: complaint_charts.importance_matrix(pv.matrix, t), "cmp_matrix")
        st.caption(t("cmp.matrix.hint"))
        shown = pv.matrix[["value", "complaints", "csat", "quadrant"]]
        table(ctx, labelled(ctx, shown, "quadrant", "quadrant"), prefix="col")
    if pv.repeat_count is not None:
        st.subheader(t("cmp.repeat"))
        counts = pv.repeat_count
        ratio = counts.customers / counts.complainers if counts.complainers else None
        st.caption(
            t(
                "cmp.repeat.count",
                count=f"{counts.customers:,}",
                share=formatting.value(ratio, "pct", ctx.lang),
            )
        )
        if pv.repeat is not None:
            customer_links(pv.repeat, key="cmp_repeat")


def customers(ctx: Context, pv) -> None:
    t = ctx.t
    if pv.churn_by_category is not None:
        chart(lambda: churn_charts.rate_bars(pv.churn_by_category, t("cmp.churn"), lambda v: v, t), "cmp_churn")
        st.caption(t("cmp.churn.hint"))
    else:
        st.info(t("cmp.churn.none"))
    st.subheader(t("cmp.stake"))
    if pv.value_at_stake is None:
        st.info(t("cmp.stake.none"))
        return
    stake = pv.value_at_stake
    top = stake[stake["tier"].isin(["diamond", "gold"])]
    stake_share = formatting.value(top["share"].sum(), "pct", ctx.lang)
    st.markdown(t("cmp.stake.text", count=f"{int(top['complaints'].sum()):,}", share=stake_share))
    tiers = [t(f"tier.{v}") if isinstance(v, str) else t("rfm.inactive") for v in stake["tier"]]
    table(ctx, stake.assign(tier=tiers), prefix="col")


def text(ctx: Context, pv, editor: bool) -> None:
    """Suggestions to accept where some tickets are labelled, else clusters to name."""
    t = ctx.t
    if pv.text_model is not None:
        m = pv.text_model
        pct = lambda v: formatting.value(v, "pct", ctx.lang)  # noqa: E731
        test = f"{int(m['test']):,}"
        st.markdown(
            t(
                "cmp.text.model",
                acc=pct(m["accuracy"]),
                f1=f"{m['macro_f1']:.2f}",
                test=test,
                base=pct(m["baseline_accuracy"]),
            )
        )
        listed = pv.suggestions
        if not len(listed):
            st.info(t("cmp.text.none"))
            return
        st.caption(t("cmp.text.suggested", count=f"{int(m['suggested']):,}"))
        table(ctx, listed, prefix="col")
        if editor:
            low = st.slider(t("cmp.text.min"), 0.0, 1.0, 0.5, 0.05, key="cmp_min_conf")
            if st.button(t("cmp.text.accept"), key="cmp_accept", icon=":material/done_all:"):
                saved(ctx, guard(textsort.accept, ctx.ws, low), "accepted suggested categories")
    elif pv.text_clusters is not None:
        st.info(t("cmp.text.clusters"))
        k = choice("k", t("cmp.text.k"), str)
        _clusters(ctx, pv.text_clusters, k, editor)


def _clusters(ctx: Context, found, k: int, editor: bool) -> None:
    t = ctx.t
    if not editor:  # read-only: the clusters, without naming them
        for row in found.itertuples():
            st.markdown(t("cmp.text.cluster", n=md(row.cluster), count=f"{row.tickets:,}", terms=md(row.terms)))
        return
    with st.form("cmp_names"):
        names = {}
        for row in found.itertuples():
            st.markdown(t("cmp.text.cluster", n=md(row.cluster), count=f"{row.tickets:,}", terms=md(row.terms)))
            for example in row.examples:
                st.caption(f"“{md(example)}”")
            key = f"cmp_name_{row.cluster}"
            names[int(row.cluster)] = st.text_input(t("cmp.text.name", n=md(row.cluster)), key=key)
        if st.form_submit_button(t("cmp.text.save")):
            # the same k as the clusters on screen (one declared range for the page and the core)
            saved(ctx, guard(textsort.name_clusters, ctx.ws, textsort.cluster(ctx.ws, k), names), "named text clusters")


def saved(ctx: Context, version, what: str) -> None:
    if version:
        audit.record(ctx.ws, ctx.user.name, "edit", f"{what} -> v{version}", origin())
        st.success(ctx.t("cmp.text.saved", version=md(version)))
        st.rerun()
