"""The sections of the Segments page (RFM, movement, tiers, clusters, lifetime value) and its
member lists, drawn from the page view."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import formatting
from insight.charts import kinds as chart_kinds
from insight.charts import segments as segment_charts
from insight.domain.segments import INACTIVE, RFM_SEGMENTS, TIERS, Options, segment_as_of
from insight.escape import md
from insight.ml.clusters import name_text, target_list
from insight.settings import INACTIVITY_DAYS
from insight.ui.interact import chart, customer_links, list_downloads
from insight.ui.shell import Context
from insight.ui.urlstate import choice, flag, set_option
from insight.ui.widgets import table
from insight.views.views import MEMBERS_SHOWN


def code(ctx: Context, value: str) -> str:
    """The label of an RFM segment or tier code (anything else is shown as it is)."""
    if value in (*RFM_SEGMENTS, INACTIVE):
        return ctx.t(f"rfm.{value}")
    return ctx.t(f"tier.{value}") if value in TIERS else value


def group(ctx: Context, spec: str) -> str:
    """The label of a member group (`rfm:at_risk`, `cell:3-4`, `move:a>b`, `cluster:2`)."""
    t = ctx.t
    kind, _, value = spec.partition(":")
    if spec == "all":
        return t("metric.segment_customers")
    if kind in ("rfm", "tier"):
        return code(ctx, value)
    if kind == "cell":
        r, _, f = value.partition("-")
        return t("seg.members.cell", r=r, f=f)
    if kind == "move":
        source, _, target = value.partition(">")
        return t("seg.members.move", source=code(ctx, source), target=code(ctx, target))
    if kind == "cluster":
        return t("seg.members.cluster", n=value)
    return t("seg.members.none") if not spec else spec


def rfm(ctx: Context, pv) -> None:
    t, segs = ctx.t, pv.segments
    label = lambda c: code(ctx, c)  # noqa: E731
    st.caption(t("seg.definition", as_of=md(segment_as_of(ctx.scope))))
    # The grid's 25 labelled cells take the whole width, so their labels fit at 1024 wide too.
    measure = "revenue" if flag("grid", t("seg.grid.revenue")) else "customers"
    title = t("seg.grid", measure=t(f"col.{measure}"))
    chart(lambda: segment_charts.rf_grid(pv.rf_grid, measure, title, t, label), f"seg_grid_{measure}", pick="members")
    chart(lambda: chart_kinds.coded_bars(segs, "rfm", "customers", t("seg.by_segment"), label), "seg_bars", dim="rfm")
    st.caption(t("seg.grid.hint"))
    table(ctx, segs.assign(action=[t(f"action.{c}") for c in segs["rfm"]], rfm=[label(c) for c in segs["rfm"]]), "col")


def movement(ctx: Context, pv) -> None:
    if pv.transitions is None:
        st.info(ctx.t("seg.moves.none"))
        return
    order = (*RFM_SEGMENTS, INACTIVE)
    fig = lambda: segment_charts.moves(pv.transitions, order, ctx.t("seg.moves"), lambda c: code(ctx, c))  # noqa: E731
    chart(fig, "seg_moves", pick="members")
    st.caption(ctx.t("seg.moves.hint"))


def tiers(ctx: Context, pv) -> None:
    t, frame = ctx.t, pv.tiers
    label = lambda c: code(ctx, c)  # noqa: E731
    left, right = st.columns(2)
    with left:
        tiers = partial(chart_kinds.coded_bars, frame, "tier", "revenue", t("seg.tiers.by"), label)
        chart(tiers, "seg_tiers", dim="tier")
    with right:
        chart(lambda: segment_charts.pareto(pv.pareto, pv.kpis["pareto_top20_share"].value, t), "seg_pareto")
    table(ctx, frame.assign(tier=[label(c) for c in frame["tier"]]), prefix="col")
    basis = pv.tier_churn
    known = f"{basis.known:,}"
    ranked = f"{basis.ranked:,}"
    st.caption(t(f"seg.churn.{basis.basis}", days=INACTIVITY_DAYS, known=known, ranked=ranked))
    with st.form("cutoffs"):
        st.caption(t("seg.tiers.cutoffs"))
        current = [c * 100 for c in Options.from_extra(dict(ctx.filters.extra))[0].cutoffs]
        values = [
            col.number_input(t(f"tier.{tier}"), 0.5, 99.5, value, step=0.5, key=f"cut_{tier}")
            for col, tier, value in zip(st.columns(3), TIERS, current, strict=False)
        ]
        if st.form_submit_button(t("seg.tiers.apply")):
            set_option("tiers", ",".join(f"{v:g}" for v in values))
            st.rerun()
    if pv.given_tiers is not None and len(pv.given_tiers):
        st.subheader(t("seg.given"))
        given = pv.given_tiers
        table(ctx, given.assign(tier=[label(c) for c in given["tier"]]), prefix="col")


def clusters(ctx: Context, pv, k: int | None) -> None:
    t = ctx.t
    if pv.clusters is None:
        st.info(t("seg.clusters.none"))
        return
    profile, sil = pv.clusters, pv.silhouette
    best = int(profile["cluster"].max())
    score = dict(zip(sil["k"], sil["silhouette"], strict=True))
    st.caption(t("seg.k.user" if k else "seg.k.chosen", k=best, score=f"{score[best]:.2f}"))
    names = {int(c): name_text(p, ctx.lang) for c, p in zip(profile["cluster"], profile["name_parts"], strict=True)}
    left, right = st.columns([3, 2])
    with left:
        fig = lambda: segment_charts.projection(pv.projection, t("seg.clusters.map"), lambda c: f"{c} · {names[c]}")  # noqa: E731
        chart(fig, "seg_map", pick="members")
        st.caption(t("seg.clusters.hint"))
    with right:
        scores = partial(chart_kinds.bars, sil.astype({"k": str}), "k", "silhouette", t("seg.clusters.silhouette"))
        chart(scores, "seg_sil")
    st.subheader(t("seg.clusters.profile"))
    shown = profile.drop(columns=["name_parts", "name"]).assign(name=[names[int(c)] for c in profile["cluster"]])
    table(ctx, shown[["cluster", "name", *[c for c in shown.columns if c not in ("cluster", "name")]]], "col")


def clv(ctx: Context, pv) -> None:
    t, segs, frame = ctx.t, pv.segments, pv.tiers
    inputs = pv.clv
    pct = lambda v: formatting.value(v, "pct", ctx.lang)  # noqa: E731
    st.markdown(f"`{t('seg.clv.formula')}`")
    if inputs.retention is None:
        st.caption(t("seg.clv.no_retention"))
    years = f"{inputs.years:.2f}"
    st.caption(
        t(
            "seg.clv.inputs",
            margin=pct(inputs.margin),
            retention=pct(inputs.retention),
            discount=pct(inputs.discount),
            years=years,
        )
    )
    st.number_input(
        t("seg.clv.margin"),
        1.0,
        100.0,
        float(inputs.margin) * 100,
        step=1.0,
        key="_margin_ui",
        on_change=lambda: set_option("margin", st.session_state["_margin_ui"]),
    )
    left, right = st.columns(2)
    with left:
        st.subheader(t("seg.clv.by_segment"))
        table(ctx, segs.assign(rfm=[code(ctx, c) for c in segs["rfm"]])[["rfm", "customers", "equity"]], "col")
    with right:
        st.subheader(t("seg.clv.by_tier"))
        shown = frame.assign(tier=[code(ctx, c) for c in frame["tier"]])
        table(ctx, shown[["tier", "customers", "avg_clv", "equity"]], "col")


def members(ctx: Context, pv, spec: str, k: int | None) -> None:
    """The members of the chosen group, as a campaign target list."""
    t = ctx.t
    groups = ["", "all", *(f"rfm:{c}" for c in RFM_SEGMENTS), *(f"tier:{c}" for c in TIERS)]
    if pv.clusters is not None:
        groups += [f"cluster:{c}" for c in pv.clusters["cluster"]]
    if spec and spec not in groups:
        groups.append(spec)
    st.divider()
    chosen = choice("members", t("seg.members.pick"), lambda s: group(ctx, s), options=tuple(groups))
    if not chosen or pv.members is None:
        return
    st.subheader(t("seg.members", group=md(group(ctx, chosen))))
    count = pv.members_count.customers
    st.caption(t("seg.members.count", count=f"{count:,}", shown=min(count, MEMBERS_SHOWN)))
    listed = pv.members.assign(
        rfm=lambda f: [code(ctx, c) for c in f["rfm"]], tier=lambda f: [code(ctx, c) for c in f["tier"]]
    )
    customer_links(listed, key="seg_members")
    attrs = ()
    if ctx.scope.snap.has("customers"):
        columns = [c for c in ctx.ws.columns("customers", ctx.scope.snap) if c not in ("customer_id", "name")]
        attrs = tuple(st.multiselect(t("seg.members.attrs"), columns, key="seg_attrs", placeholder=t("app.choose")))
    name = f"target-{chosen.replace(':', '-').replace('>', '-to-')}-v{ctx.scope.snap.version}"
    labels = ("seg.members.csv", "seg.members.xlsx")
    list_downloads(ctx, lambda: target_list(ctx.scope, chosen, attrs, k), name, labels, "seg")
