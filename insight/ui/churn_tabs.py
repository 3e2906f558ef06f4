"""The sections of the Churn page (trend, by attribute, cohorts, survival, risk model), drawn
from the page view."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import formatting, i18n
from insight.charts import churn as churn_charts
from insight.domain import churn
from insight.escape import md
from insight.ml import churn_model
from insight.settings import MIN_GROUP
from insight.ui.filterbar import code_label
from insight.ui.interact import chart, customer_links, list_downloads
from insight.ui.shell import Context
from insight.ui.urlstate import choice, option_note
from insight.ui.widgets import table, view_notes
from insight.views.views import AT_RISK_SHOWN


def attribute(ctx: Context, name: str) -> str:
    return churn.label(name, ctx.lang)


def value_label(ctx: Context, attr: str):
    """Labels of an attribute's values; a missing tier or RFM segment means no order in the period."""

    def label(v):
        if v is None or v != v:
            return ctx.t("rfm.inactive") if attr in ("tier", "rfm") else ctx.t("churn.blank")
        return code_label(attr, v) if attr in ("tier", "rfm") else v

    return label


def trend(ctx: Context, pv, d) -> None:
    t = ctx.t
    if pv.trend is not None:
        fig = lambda: churn_charts.churn_trend(pv.trend, pv.trend_compare, t)  # noqa: E731
        chart(fig, "churn_trend", grain="month")
        if pv.trend["provisional"].any():
            st.caption(t("churn.trend.provisional.hint"))
        st.caption(t("churn.trend.hint"))
    else:
        st.info(t("churn.trend.none"))
    if pv.complaints_churn is None:
        return
    st.subheader(t("churn.versus"))
    versus = pv.complaints_churn.set_index("value")
    if "difference" in versus.index:
        pct = lambda v: formatting.value(v, "pct", ctx.lang)  # noqa: E731
        pts = lambda v: formatting.value(v, "pts", ctx.lang, compact=False)  # noqa: E731
        diff = versus.loc["difference"]
        a, b = versus.loc["complained", "churn_rate"], versus.loc["not_complained", "churn_rate"]
        cutoff = md(versus["cutoff"].iloc[0])
        text = t(
            "churn.versus.text",
            cutoff=cutoff,
            a=pct(a),
            b=pct(b),
            diff=pts(diff["churn_rate"]),
            low=pts(diff["low"]),
            high=pts(diff["high"]),
        )
        st.markdown(text)
    else:
        st.info(t("churn.versus.none", cutoff=md(versus["cutoff"].iloc[0])))
    groups = pv.complaints_churn.iloc[:2].dropna(subset=["customers"])
    if len(groups):
        versus = partial(churn_charts.rate_bars, groups, t("churn.versus"), lambda v: t(f"churn.versus.{v}"), t)
        chart(versus, "churn_versus")
    view_notes(ctx, pv, kinds=("coverage",))


def by_attribute(ctx: Context, pv, d, attrs: list[str]) -> None:
    t = ctx.t
    name = lambda a: attribute(ctx, a)  # noqa: E731
    by = choice("attr", t("churn.by.pick"), name, options=tuple(attrs), fallback=churn.default_attribute(attrs) or "")
    if pv.churn_by is None:
        return
    frame = pv.churn_by
    fig = lambda: churn_charts.rate_bars(frame, t("churn.by", attribute=name(by)), value_label(ctx, by), t)  # noqa: E731
    chart(fig, "churn_by", dim=by if by in churn.DRILLABLE_ATTRIBUTES else None)
    st.caption(t("churn.by.small", n=MIN_GROUP))
    if d.kind == "behavioural":
        st.caption(t("churn.by.months"))
    if by in churn.DRILLABLE_ATTRIBUTES:
        st.caption(t("churn.by.drill"))
    shown = frame.drop(columns=["attribute"]).assign(value=[value_label(ctx, by)(v) for v in frame["value"]])
    table(ctx, shown, prefix="col")


def cohorts(ctx: Context, pv, asked: list[str]) -> None:
    t = ctx.t
    ret = choice("ret", t("churn.ret.label"), lambda b: t(f"churn.ret.{b}"))
    if pv.retention is None:
        st.info(t("churn.cohorts.none"))
        return
    matrix = pv.retention
    column = "retention" if ret == "customers" else "revenue_retention"
    title = t("churn.cohorts", measure=t(f"churn.ret.{ret}"))
    chart(lambda: churn_charts.cohort_grid(matrix, column, title), "churn_cohorts")
    st.caption(t("churn.cohorts.masked"))
    names = sorted(matrix["cohort"].unique())
    unknown = [c for c in asked if c not in names]
    if unknown:
        option_note("cohorts", unknown, names)
    picks = names[:: max(1, len(names) // 3)][:4]
    # the cohorts are shown as they are: their widget is bound to the URL itself (insight/ui/urlstate.py)
    chosen = st.multiselect(
        t("churn.cohorts.pick"), names, default=picks, key="cohorts", bind="query-params", placeholder=t("app.choose")
    )
    chart(lambda: churn_charts.retention_curves(matrix, chosen, column, t), "churn_curves", vary=tuple(chosen))


def survival(ctx: Context, pv, d, attrs: list[str]) -> None:
    t = ctx.t
    label = lambda a: attribute(ctx, a) or t("churn.survival.all")  # noqa: E731
    choice("split", t("churn.survival.split"), label, options=("", *attrs), fallback="")
    if pv.survival is None:
        st.info(t("churn.survival.none"))
        return
    groups = pv.survival_groups
    unit, basis = groups["unit"].iloc[0], groups["basis"].iloc[0]
    chart(
        lambda: churn_charts.survival(pv.survival, t("churn.survival"), t(f"churn.survival.x.{unit}")),
        "churn_survival",
    )
    st.caption(t(f"churn.survival.basis.{basis}", days=int(d.days)))
    p = groups["p_value"].iloc[0]
    if p is not None and p == p:
        st.caption(t("churn.survival.logrank", p="< 0.001" if p < 0.001 else f"{p:.3f}"))
    median = [t("churn.survival.not_reached") if m is None or m != m else f"{m:.1f}" for m in groups["median"]]
    table(ctx, groups[["group", "customers", "events", "median"]].assign(median=median), prefix="col")


def risk(ctx: Context, pv, d, scope, in_force) -> None:
    t = ctx.t
    feature = lambda f: attribute(ctx, f)  # noqa: E731
    if pv.model is None:
        st.info(t("churn.model.none"))
        return
    m = pv.model
    if m["mode"] == "temporal":
        train = md(m["train_cutoffs"])
        held = md(m["eval_cutoff"])
        st.caption(t("churn.model.temporal", days=int(d.days), train=train, eval=held, as_of=md(m["as_of"])))
    else:
        st.caption(t("churn.model.snapshot"))
    f3 = lambda v: "—" if v is None or v != v else f"{v:.3f}"  # noqa: E731
    st.markdown(
        t(
            "churn.model.scores",
            auc=f3(m["roc_auc"]),
            base=f3(m["baseline_roc_auc"]),
            rule=f3(m["rule_roc_auc"]),
            feature=md(feature(m["rule"]) if m["rule"] else "—"),
            pr=f3(m["pr_auc"]),
            base_pr=f3(m["baseline_pr_auc"]),
            rule_pr=f3(m["rule_pr_auc"]),
        )
    )
    left, right = st.columns(2)
    with left:
        chart(lambda: churn_charts.calibration(pv.calibration, t), "churn_calibration")
    with right:
        chart(lambda: churn_charts.importance(pv.importance, feature, t), "churn_importance")
    refused = pv.refused
    if len(refused):
        with st.expander(t("churn.model.refused")):
            reasons = [i18n.text(r, ctx.lang) for r in refused["reason"]]
            table(ctx, refused.assign(feature=[feature(f) for f in refused["feature"]], reason=reasons), "col")
    st.subheader(t("churn.risk.list"))
    customers = pv.at_risk_count.customers
    value_basis = t(f"churn.risk.basis.{pv.at_risk_count.value_basis}")
    st.caption(t("churn.risk.count", count=f"{customers:,}", basis=value_basis, shown=min(customers, AT_RISK_SHOWN)))
    listed = pv.at_risk
    tiers = {"tier": [code_label("tier", v) if v else v for v in listed["tier"]]} if "tier" in listed else {}
    listed = listed.assign(
        reasons=[churn_model.reason_text(r, feature) for r in listed["reasons"]],
        risk=[formatting.value(r, "pct", ctx.lang) for r in listed["risk"]],
        **tiers,
    )
    customer_links(listed, key="churn_at_risk")
    model = churn_model.cached(scope, in_force)
    attrs = ()
    if scope.snap.has("customers"):
        columns = [c for c in ctx.ws.columns("customers", scope.snap) if c not in ("customer_id", "name")]
        attrs = tuple(st.multiselect(t("seg.members.attrs"), columns, key="churn_attrs", placeholder=t("app.choose")))
    if model is not None:
        list_downloads(
            ctx,
            lambda: churn_model.retention_list(scope, model, feature, attrs),
            f"retention-list-v{scope.snap.version}",
            ("churn.risk.csv", "churn.risk.xlsx"),
            "churn",
        )
