"""Segments: RFM, movement between segments, value tiers, clusters and lifetime value."""

import streamlit as st

from insight import charts, formatting
from insight.domain.segments import INACTIVE, RFM_SEGMENTS, TIERS, Options, segment_as_of
from insight.escape import md
from insight.ml.clusters import name_text, target_list
from insight.settings import INACTIVITY_DAYS
from insight.ui.cache import view
from insight.ui.interact import chart, customer_links, list_downloads, page_header
from insight.ui.shell import context, empty_state, guard, set_param, url_choice, url_flag, url_value
from insight.ui.widgets import kpi_cards, table, view_notes
from insight.views.views import MEMBERS_SHOWN, SEGMENT_TABS

K_CHOICES = ("", *(str(k) for k in range(2, 9)))

ctx = context()
t = ctx.t


def code(value: str) -> str:
    """The label of an RFM segment or tier code (anything else is shown as it is)."""
    if value in (*RFM_SEGMENTS, INACTIVE):
        return t(f"rfm.{value}")
    return t(f"tier.{value}") if value in TIERS else value


def group(spec: str) -> str:
    """The label of a member group (`rfm:at_risk`, `cell:3-4`, `move:a>b`, `cluster:2`)."""
    kind, _, value = spec.partition(":")
    if spec == "all":
        return t("metric.segment_customers")
    if kind in ("rfm", "tier"):
        return code(value)
    if kind == "cell":
        r, _, f = value.partition("-")
        return t("seg.members.cell", r=r, f=f)
    if kind == "move":
        source, _, target = value.partition(">")
        return t("seg.members.move", source=code(source), target=code(target))
    if kind == "cluster":
        return t("seg.members.cluster", n=value)
    return t("seg.members.none") if not spec else spec


page_header(ctx, "segments")
tab = url_choice("tab", SEGMENT_TABS, SEGMENT_TABS[0], t("seg.section"), lambda x: t(f"seg.tab.{x}"), "segmented")
k = ""
if tab == "clusters":
    k = url_choice("k", K_CHOICES, "", t("seg.k"), lambda v: v or t("seg.k.auto"))
spec = url_value("members")
# RFM, tiers and CLV read the same figures (one cached view); movement and clusters add their own.
own = tab if tab in ("movement", "clusters") else ""
pv = guard(view, ctx, "segments", {"tab": own, "k": k, "members": spec})
if pv is not None:
    view_notes(ctx, pv)
if pv is not None and pv.missing:
    empty_state(ctx, pv.missing)
elif pv is not None and "segments" not in pv.tables:
    st.info(t("seg.no_customers"), icon=":material/info:")
elif pv is not None:
    kpi_cards(
        ctx,
        {
            m: pv.kpis[m]
            for m in ("segment_customers", "segment_revenue", "pareto_top20_share", "diamond_share", "customer_equity")
        },
    )
    segs, tiers = pv.tables["segments"], pv.tables["tiers"]

    if tab == "rfm":
        st.caption(t("seg.definition", as_of=md(segment_as_of(ctx.scope))))
        # The grid's 25 labelled cells take the whole width, so their labels fit at 1024 wide too.
        revenue = url_flag("grid", t("seg.grid.revenue"))
        measure = "revenue" if revenue else "customers"
        title = t("seg.grid", measure=t(f"col.{measure}"))
        chart(charts.rf_grid(pv.tables["rf_grid"], measure, title, t, code), f"seg_grid_{measure}", pick="members")
        chart(charts.coded_bars(segs, "rfm", "customers", t("seg.by_segment"), code), "seg_bars", dim="rfm")
        st.caption(t("seg.grid.hint"))
        shown = segs.assign(action=[t(f"action.{c}") for c in segs["rfm"]], rfm=[code(c) for c in segs["rfm"]])
        table(ctx, shown, prefix="col")

    elif tab == "movement":
        if "transitions" not in pv.tables:
            st.info(t("seg.moves.none"))
        else:
            order = (*RFM_SEGMENTS, INACTIVE)
            chart(charts.moves(pv.tables["transitions"], order, t("seg.moves"), code), "seg_moves", pick="members")
            st.caption(t("seg.moves.hint"))

    elif tab == "tiers":
        left, right = st.columns(2)
        with left:
            chart(charts.coded_bars(tiers, "tier", "revenue", t("seg.tiers.by"), code), "seg_tiers", dim="tier")
        with right:
            chart(charts.pareto(pv.tables["pareto"], pv.kpis["pareto_top20_share"].value, t), "seg_pareto")
        table(ctx, tiers.assign(tier=[code(c) for c in tiers["tier"]]), prefix="col")
        basis = pv.tables["tier_churn"].iloc[0]
        known = f"{int(basis['known']):,}"
        ranked = f"{int(basis['ranked']):,}"
        st.caption(t(f"seg.churn.{basis['basis']}", days=INACTIVITY_DAYS, known=known, ranked=ranked))
        with st.form("cutoffs"):
            st.caption(t("seg.tiers.cutoffs"))
            current = [c * 100 for c in Options.from_extra(dict(ctx.filters.extra))[0].cutoffs]
            cols = st.columns(3)
            values = [
                col.number_input(t(f"tier.{tier}"), 0.5, 99.5, value, step=0.5, key=f"cut_{tier}")
                for col, tier, value in zip(cols, TIERS, current, strict=False)
            ]
            if st.form_submit_button(t("seg.tiers.apply")):
                st.session_state["tiers"] = ",".join(f"{v:g}" for v in values)
                st.rerun()
        if "given_tiers" in pv.tables and len(pv.tables["given_tiers"]):
            st.subheader(t("seg.given"))
            given = pv.tables["given_tiers"]
            table(ctx, given.assign(tier=[code(c) for c in given["tier"]]), prefix="col")

    elif tab == "clusters":
        if "clusters" not in pv.tables:
            st.info(t("seg.clusters.none"))
        else:
            profile = pv.tables["clusters"]
            best = int(profile["cluster"].max())
            score = dict(zip(pv.tables["silhouette"]["k"], pv.tables["silhouette"]["silhouette"], strict=True))
            st.caption(t("seg.k.user" if k else "seg.k.chosen", k=best, score=f"{score[best]:.2f}"))
            names = {
                int(c): name_text(parts, ctx.lang)
                for c, parts in zip(profile["cluster"], profile["name_parts"], strict=True)
            }
            left, right = st.columns([3, 2])
            with left:
                fig = charts.projection(pv.tables["projection"], t("seg.clusters.map"), lambda c: f"{c} · {names[c]}")
                chart(fig, "seg_map", pick="members")
                st.caption(t("seg.clusters.hint"))
            with right:
                sil = pv.tables["silhouette"]
                chart(charts.bars(sil.astype({"k": str}), "k", "silhouette", t("seg.clusters.silhouette")), "seg_sil")
            st.subheader(t("seg.clusters.profile"))
            shown = profile.drop(columns=["name_parts", "name"]).assign(
                name=[names[int(c)] for c in profile["cluster"]]
            )
            table(ctx, shown[["cluster", "name", *[c for c in shown.columns if c not in ("cluster", "name")]]], "col")

    elif tab == "clv":
        clv = pv.tables["clv"].iloc[0]
        st.markdown(f"`{t('seg.clv.formula')}`")
        if clv["retention"] is None or clv["retention"] != clv["retention"]:
            st.caption(t("seg.clv.no_retention"))
        st.caption(
            t(
                "seg.clv.inputs",
                margin=formatting.value(clv["margin"], "pct", ctx.lang),
                retention=formatting.value(clv["retention"], "pct", ctx.lang),
                discount=formatting.value(clv["discount"], "pct", ctx.lang),
                years=f"{clv['years']:.2f}",
            )
        )
        st.number_input(
            t("seg.clv.margin"),
            1.0,
            100.0,
            float(clv["margin"]) * 100,
            step=1.0,
            key="_margin_ui",
            on_change=set_param,
            args=("margin", "_margin_ui"),
        )
        left, right = st.columns(2)
        with left:
            st.subheader(t("seg.clv.by_segment"))
            table(ctx, segs.assign(rfm=[code(c) for c in segs["rfm"]])[["rfm", "customers", "equity"]], "col")
        with right:
            st.subheader(t("seg.clv.by_tier"))
            table(
                ctx,
                tiers.assign(tier=[code(c) for c in tiers["tier"]])[["tier", "customers", "avg_clv", "equity"]],
                "col",
            )

    # The members of the chosen group, as a campaign target list.
    groups = ["", "all", *(f"rfm:{c}" for c in RFM_SEGMENTS), *(f"tier:{c}" for c in TIERS)]
    if "clusters" in pv.tables:
        groups += [f"cluster:{c}" for c in pv.tables["clusters"]["cluster"]]
    if spec and spec not in groups:
        groups.append(spec)
    st.divider()
    chosen = url_choice("members", tuple(groups), "", t("seg.members.pick"), group)
    if chosen and "members" in pv.tables:
        st.subheader(t("seg.members", group=md(group(chosen))))
        count = int(pv.tables["members_count"]["customers"].iloc[0])
        st.caption(t("seg.members.count", count=f"{count:,}", shown=min(count, MEMBERS_SHOWN)))
        listed = pv.tables["members"].assign(
            rfm=lambda f: [code(c) for c in f["rfm"]], tier=lambda f: [code(c) for c in f["tier"]]
        )
        customer_links(listed, key="seg_members")
        attrs = ()
        if ctx.scope.snap.has("customers"):
            attrs = tuple(
                st.multiselect(
                    t("seg.members.attrs"),
                    [c for c in ctx.ws.columns("customers", ctx.scope.snap) if c not in ("customer_id", "name")],
                    key="seg_attrs",
                    placeholder=t("app.choose"),
                )
            )

        name = f"target-{chosen.replace(':', '-').replace('>', '-to-')}-v{ctx.scope.snap.version}"
        list_downloads(
            ctx,
            lambda: target_list(ctx.scope, chosen, attrs, int(k) if k else None),
            name,
            ("seg.members.csv", "seg.members.xlsx"),
            "seg",
        )
