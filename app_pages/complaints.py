"""Complaints and service: categories, time limits (工单时限, 及时率, 超期预警), satisfaction and
the customers behind the complaints."""

import streamlit as st

from insight import charts, formatting, settings
from insight.auth import audit
from insight.escape import md
from insight.ml import textsort
from insight.semantic.metrics import sla_from
from insight.ui.auth import origin
from insight.ui.cache import view
from insight.ui.interact import chart, customer_links, page_header
from insight.ui.shell import context, empty_state, guard, url_choice, url_text, url_value
from insight.ui.widgets import kpi_cards, table, view_notes
from insight.views.views import COMPLAINT_KPIS, COMPLAINT_TABS

ctx = context()
t = ctx.t


def fmt(value, kind: str = "num") -> str:
    return formatting.value(value, kind, ctx.lang)


def labelled(frame, column: str, prefix: str):
    """`frame` with the codes of `column` shown through the catalog (`prefix.code`)."""
    return frame.assign(**{column: [t(f"{prefix}.{v}") for v in frame[column]]})


def close_list() -> None:
    st.session_state["sub"] = ""


def text_tab() -> None:
    """Suggestions to accept where some tickets are labelled, else clusters to name."""
    if "text_model" in pv.tables:
        m = pv.tables["text_model"].iloc[0]
        st.markdown(
            t(
                "cmp.text.model",
                acc=fmt(m["accuracy"], "pct"),
                f1=f"{m['macro_f1']:.2f}",
                test=f"{int(m['test']):,}",
                base=fmt(m["baseline_accuracy"], "pct"),
            )
        )
        listed = pv.tables["suggestions"]
        if not len(listed):
            st.info(t("cmp.text.none"))
            return
        st.caption(t("cmp.text.suggested", count=f"{int(m['suggested']):,}"))
        table(ctx, listed, prefix="col")
        if not editor:
            return
        low = st.slider(t("cmp.text.min"), 0.0, 1.0, 0.5, 0.05, key="cmp_min_conf")
        if st.button(t("cmp.text.accept"), key="cmp_accept", icon=":material/done_all:"):
            version = guard(textsort.accept, ctx.ws, low)
            if version:
                audit.record(ctx.ws, ctx.user.name, "edit", f"accepted suggested categories -> v{version}", origin())
                st.success(t("cmp.text.saved", version=md(version)))
                st.rerun()
    elif "text_clusters" in pv.tables:
        st.info(t("cmp.text.clusters"))
        k = int(
            url_choice("k", tuple(str(n) for n in range(2, 21)), str(textsort.DEFAULT_CLUSTERS), t("cmp.text.k"), str)
        )
        found = pv.tables["text_clusters"]
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
                names[int(row.cluster)] = st.text_input(
                    t("cmp.text.name", n=md(row.cluster)), key=f"cmp_name_{row.cluster}"
                )
            if st.form_submit_button(t("cmp.text.save")):
                version = guard(textsort.name_clusters, ctx.ws, textsort.cluster(ctx.ws, k), names)
                if version:
                    audit.record(ctx.ws, ctx.user.name, "edit", f"named text clusters -> v{version}", origin())
                    st.success(t("cmp.text.saved", version=md(version)))
                    st.rerun()


# Accepting suggestions or naming clusters writes a new tickets version over every row: marketers
# and up who see every row.
editor = ctx.can("edit") and ctx.scope.rows.everything
page_header(ctx, "complaints")
tab = url_choice("tab", COMPLAINT_TABS, COMPLAINT_TABS[0], t("cmp.section"), lambda x: t(f"cmp.tab.{x}"), "segmented")
sub = url_text("sub")
sla = url_text("sla")
pv = guard(view, ctx, "complaints", {"tab": tab, "sub": sub, "sla": sla, "k": url_value("k") if tab == "text" else ""})
if pv is not None:
    view_notes(ctx, pv)
if pv is not None and pv.missing:
    empty_state(ctx, pv.missing)
elif pv is not None:
    kpi_cards(ctx, {m: pv.kpis[m] for m in COMPLAINT_KPIS})
    view_notes(ctx, pv, kinds=("coverage",))

    if tab == "categories" and "categories" in pv.tables:
        cats = pv.tables["categories"]
        level = cats["level"].iloc[0]
        title = t("cmp.pareto", level=t(f"cmp.level.{level}"))
        if level == "category":
            chart(charts.complaint_pareto(cats, title, t), "cmp_pareto", dim="category")
        else:
            chart(charts.complaint_pareto(cats, title, t), "cmp_pareto_sub", pick="sub")
        st.caption(t("cmp.pareto.hint"))
    if tab == "categories" and sub and "tickets" in pv.tables:
        st.subheader(t("cmp.tickets", sub=md(sub)))
        count = int(pv.tables["tickets_count"]["tickets"].iloc[0])
        st.caption(t("cmp.tickets.count", count=f"{count:,}", shown=min(count, len(pv.tables["tickets"]))))
        listed = pv.tables["tickets"]
        listed = listed.assign(tier=[t(f"tier.{v}") if isinstance(v, str) else None for v in listed["tier"]])
        customer_links(listed, key="cmp_tickets")
        st.button(t("cmp.tickets.close"), on_click=close_list, key="cmp_close")

    if tab == "categories" and "trend" in pv.tables:
        trend = pv.tables["trend"]
        chart(charts.weekly_stacked(trend, t("cmp.trend"), t), "cmp_trend")
        odd = trend[trend["anomaly"]]
        if len(odd):
            weeks = ", ".join(f"{w:%Y-%m-%d} {c}" for w, c in zip(odd["week"], odd["category"], strict=True))
            st.warning(t("cmp.anomalies", weeks=md(weeks)), icon=":material/warning:")

    elif tab == "time":
        spans = pv.tables["durations"].set_index("measure")
        for measure, key in (("resolution", "cmp.durations"), ("first_response", "cmp.first_response")):
            row = spans.loc[measure]
            if row["tickets"]:
                st.markdown(
                    t(
                        key,
                        p50=fmt(row["p50"], "hours"),
                        p90=fmt(row["p90"], "hours"),
                        tickets=fmt(row["tickets"], "int"),
                    )
                )
        if bool(spans["no_creation_time"].iloc[0]):
            st.caption(t("cmp.no_creation_time"))
        if int(spans["negative"].iloc[0]):
            st.caption(t("cmp.negative", count=f"{int(spans['negative'].iloc[0]):,}"))
        if "histogram" in pv.tables:
            chart(charts.histogram(pv.tables["histogram"], t("cmp.histogram"), t("cmp.hours")), "cmp_hist")
        cols = st.columns(3)
        for col, by in zip(cols, ("category", "priority", "channel"), strict=True):
            name = f"on_time_{by}"
            if name in pv.tables:
                frame = pv.tables[name]
                if by == "priority":
                    frame = labelled(frame, "value", "priority")
                with col:
                    title = t("cmp.on_time", by=t(f"cmp.by.{by}"))
                    chart(charts.rate_by(frame, "on_time_rate", title), f"cmp_on_time_{by}")
        with st.form("sla_form"):
            st.caption(t("cmp.sla"))
            current = sla_from({"sla": sla} if sla else {})[0] or settings.SLA_HOURS
            inputs = st.columns(len(settings.SLA_HOURS))
            hours = [
                box.number_input(
                    t(f"priority.{level}"), 0.5, 8760.0, float(current[level]), step=1.0, key=f"sla_{level}"
                )
                for box, level in zip(inputs, settings.SLA_HOURS, strict=True)
            ]
            if st.form_submit_button(t("cmp.sla.apply")):
                text = ",".join(f"{h:g}" for h in hours)
                st.session_state["sla"] = "" if sla_from({"sla": text})[0] is None else text
                st.rerun()
        st.subheader(t("cmp.overdue"))
        if "overdue" in pv.tables and len(pv.tables["overdue"]):
            count = int(pv.tables["overdue_count"]["tickets"].iloc[0])
            as_of = pv.tables["overdue_count"]["as_of"].iloc[0]
            st.caption(t("cmp.overdue.count", count=f"{count:,}", as_of=md(as_of)))
            backlog = labelled(pv.tables["overdue"], "level", "priority").drop(columns=["due"])
            if "tier" in backlog:
                backlog = backlog.assign(tier=[t(f"tier.{v}") if isinstance(v, str) else None for v in backlog["tier"]])
            customer_links(backlog, key="cmp_overdue")
        else:
            st.success(t("cmp.overdue.none"), icon=":material/check_circle:")

    elif tab == "satisfaction":
        left, right = st.columns(2)
        for col, by in ((left, "category"), (right, "channel")):
            name = f"satisfaction_{by}"
            if name in pv.tables:
                with col:
                    chart(charts.rate_by(pv.tables[name], "csat", t(f"cmp.csat.{by}"), ".2f"), f"cmp_csat_{by}")
                    table(ctx, pv.tables[name], prefix="col")
        if "matrix" in pv.tables:
            chart(charts.importance_matrix(pv.tables["matrix"], t), "cmp_matrix")
            st.caption(t("cmp.matrix.hint"))
            shown = pv.tables["matrix"][["value", "complaints", "csat", "quadrant"]]
            table(ctx, labelled(shown, "quadrant", "quadrant"), prefix="col")
        if "repeat_count" in pv.tables:
            st.subheader(t("cmp.repeat"))
            counts = pv.tables["repeat_count"].iloc[0]
            share = counts["customers"] / counts["complainers"] if counts["complainers"] else None
            st.caption(t("cmp.repeat.count", count=f"{int(counts['customers']):,}", share=fmt(share, "pct")))
            if "repeat" in pv.tables:
                customer_links(pv.tables["repeat"], key="cmp_repeat")

    elif tab == "text":
        text_tab()

    elif tab == "customers":
        if "churn_by_category" in pv.tables:
            frame = pv.tables["churn_by_category"]
            chart(charts.rate_bars(frame, t("cmp.churn"), lambda v: v, t), "cmp_churn")
            st.caption(t("cmp.churn.hint"))
        else:
            st.info(t("cmp.churn.none"))
        st.subheader(t("cmp.stake"))
        if "value_at_stake" in pv.tables:
            stake = pv.tables["value_at_stake"]
            top = stake[stake["tier"].isin(["diamond", "gold"])]
            st.markdown(
                t("cmp.stake.text", count=f"{int(top['complaints'].sum()):,}", share=fmt(top["share"].sum(), "pct"))
            )
            shown = stake.assign(
                tier=[t(f"tier.{v}") if isinstance(v, str) else t("rfm.inactive") for v in stake["tier"]]
            )
            table(ctx, shown, prefix="col")
        else:
            st.info(t("cmp.stake.none"))
