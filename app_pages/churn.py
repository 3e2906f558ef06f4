"""Churn (流失): the definition in force, trend, churn by attribute, cohorts, survival and the
churn-risk model with its at-risk list (维系挽留)."""

from dataclasses import replace

import streamlit as st

from insight import charts, formatting, i18n
from insight.domain import churn
from insight.escape import md
from insight.ml import churn_model
from insight.settings import CHURN_DAYS_RANGE, INACTIVITY_DAYS, MIN_GROUP
from insight.ui.cache import view, with_options
from insight.ui.interact import chart, customer_links, list_downloads, page_header
from insight.ui.shell import (
    code_label,
    context,
    empty_state,
    guard,
    option_note,
    url_choice,
    url_number,
    url_value,
)
from insight.ui.widgets import kpi_cards, table, view_notes
from insight.views.views import AT_RISK_SHOWN, CHURN_KPIS, CHURN_TABS, RETENTION_BASES

ctx = context()
t = ctx.t


def attribute(name: str) -> str:
    return churn.label(name, ctx.lang)


feature = attribute


def value_label(attr: str):
    """Labels of an attribute's values; a missing tier or RFM segment means no order in the period."""

    def label(v):
        if v is None or v != v:
            return t("rfm.inactive") if attr in ("tier", "rfm") else t("churn.blank")
        return code_label(attr, v) if attr in ("tier", "rfm") else v

    return label


page_header(ctx, "churn")
scope = ctx.scope
has_flag, has_orders = scope.has("customers", "churned"), scope.has("orders", "customer_id", "order_date")
kinds = tuple(k for k, ok in zip(churn.DEFINITIONS, (has_flag, has_orders), strict=True) if ok) or churn.DEFINITIONS
top = st.columns([2, 1, 3])
with top[0]:
    kind = url_choice("churn", kinds, kinds[0], t("churn.def.label"), lambda k: t(f"churn.def.{k}"), "segmented")
with top[1]:
    days = url_number("days", INACTIVITY_DAYS, *CHURN_DAYS_RANGE, t("churn.days"))
with top[2]:
    tab = url_choice("tab", CHURN_TABS, CHURN_TABS[0], t("churn.section"), lambda x: t(f"churn.tab.{x}"), "segmented")
default_days = "" if days == INACTIVITY_DAYS else str(days)
options = {
    "churn": "" if kind == kinds[0] else kind,
    "days": default_days,
    **{k: url_value(k) for k in ("attr", "split", "ret")},
}
scope = replace(scope, filters=with_options(ctx, options))
in_force, _ = churn.definition(scope)
if tab == "risk":  # train first, with a progress bar; the view then reads the cached model
    if churn.available(scope, in_force) and churn_model.cached(scope, in_force) is None:
        bar = st.progress(0.0, text=t("churn.model.training"))
        progress = lambda f, stage: bar.progress(f, text=t(f"churn.model.stage.{stage}"))  # noqa: E731
        guard(churn_model.train, scope, in_force, progress)
        bar.empty()
# Every section but the risk model reads the same figures: one cached view serves them all.
pv = guard(view, ctx, "churn", {"tab": tab if tab == "risk" else "", **options})
if pv is not None:
    view_notes(ctx, pv)
if pv is not None and pv.missing:
    empty_state(ctx, pv.missing)
elif pv is not None and "definition" in pv.tables:
    d = pv.tables["definition"].iloc[0]
    st.caption(t(f"churn.why.{d['reason']}", days=int(d["days"])))
    if d["definition"] == "explicit" and not d["dated"]:
        st.caption(t("churn.why.undated"))
    kpi_cards(ctx, {m: pv.kpis[m] for m in CHURN_KPIS})
    attrs = list(pv.tables["attributes"]["attribute"])

    if tab == "trend":
        if "trend" in pv.tables:
            chart(
                charts.churn_trend(pv.tables["trend"], pv.tables.get("trend_compare"), t), "churn_trend", grain="month"
            )
            if pv.tables["trend"]["provisional"].any():
                st.caption(t("churn.trend.provisional.hint"))
            st.caption(t("churn.trend.hint"))
        else:
            st.info(t("churn.trend.none"))
        if "complaints_churn" in pv.tables:
            st.subheader(t("churn.versus"))
            versus = pv.tables["complaints_churn"].set_index("value")
            if "difference" in versus.index:
                pct = lambda v: formatting.value(v, "pct", ctx.lang)  # noqa: E731
                pts = lambda v: formatting.value(v, "pts", ctx.lang, compact=False)  # noqa: E731
                st.markdown(
                    t(
                        "churn.versus.text",
                        cutoff=md(versus["cutoff"].iloc[0]),
                        a=pct(versus.loc["complained", "churn_rate"]),
                        b=pct(versus.loc["not_complained", "churn_rate"]),
                        diff=pts(versus.loc["difference", "churn_rate"]),
                        low=pts(versus.loc["difference", "low"]),
                        high=pts(versus.loc["difference", "high"]),
                    )
                )
            else:
                st.info(t("churn.versus.none", cutoff=md(versus["cutoff"].iloc[0])))
            groups = pv.tables["complaints_churn"].iloc[:2].dropna(subset=["customers"])
            if len(groups):
                label = lambda v: t(f"churn.versus.{v}")  # noqa: E731
                chart(charts.rate_bars(groups, t("churn.versus"), label, t), "churn_versus")
            view_notes(ctx, pv, kinds=("coverage",))

    elif tab == "attribute":
        by = url_choice(
            "attr", tuple(attrs), churn.default_attribute(attrs) or "", t("churn.by.pick"), attribute, note=False
        )
        if "churn_by" in pv.tables:
            frame = pv.tables["churn_by"]
            fig = charts.rate_bars(frame, t("churn.by", attribute=attribute(by)), value_label(by), t)
            chart(fig, "churn_by", dim=by if by in churn.DRILLABLE_ATTRIBUTES else None)
            st.caption(t("churn.by.small", n=MIN_GROUP))
            if d["definition"] == "behavioural":
                st.caption(t("churn.by.months"))
            if by in churn.DRILLABLE_ATTRIBUTES:
                st.caption(t("churn.by.drill"))
            shown = frame.drop(columns=["attribute"]).assign(value=[value_label(by)(v) for v in frame["value"]])
            table(ctx, shown, prefix="col")

    elif tab == "cohorts":
        ret = url_choice(
            "ret", RETENTION_BASES, RETENTION_BASES[0], t("churn.ret.label"), lambda b: t(f"churn.ret.{b}")
        )
        if "retention" not in pv.tables:
            st.info(t("churn.cohorts.none"))
        else:
            matrix = pv.tables["retention"]
            column = "retention" if ret == "customers" else "revenue_retention"
            title = t("churn.cohorts", measure=t(f"churn.ret.{ret}"))
            chart(charts.cohort_grid(matrix, column, title), "churn_cohorts")
            st.caption(t("churn.cohorts.masked"))
            names = sorted(matrix["cohort"].unique())
            unknown = [c for c in st.query_params.get_all("cohorts") if c not in names]
            if unknown:
                option_note("cohorts", unknown, names)
            picks = names[:: max(1, len(names) // 3)][:4]
            chosen = st.multiselect(
                t("churn.cohorts.pick"),
                names,
                default=picks,
                key="cohorts",
                bind="query-params",
                placeholder=t("app.choose"),
            )
            chart(charts.retention_curves(matrix, chosen, column, t), "churn_curves")

    elif tab == "survival":
        url_choice(
            "split",
            ("", *attrs),
            "",
            t("churn.survival.split"),
            lambda a: attribute(a) or t("churn.survival.all"),
            note=False,
        )
        if "survival" not in pv.tables:
            st.info(t("churn.survival.none"))
        else:
            groups = pv.tables["survival_groups"]
            unit, basis = groups["unit"].iloc[0], groups["basis"].iloc[0]
            fig = charts.survival(pv.tables["survival"], t("churn.survival"), t(f"churn.survival.x.{unit}"))
            chart(fig, "churn_survival")
            st.caption(t(f"churn.survival.basis.{basis}", days=int(d["days"])))
            p = groups["p_value"].iloc[0]
            if p is not None and p == p:
                st.caption(t("churn.survival.logrank", p="< 0.001" if p < 0.001 else f"{p:.3f}"))
            shown = groups[["group", "customers", "events", "median"]].assign(
                median=[
                    t("churn.survival.not_reached") if m is None or m != m else f"{m:.1f}" for m in groups["median"]
                ]
            )
            table(ctx, shown, prefix="col")

    elif tab == "risk":
        if "model" not in pv.tables:
            st.info(t("churn.model.none"))
        else:
            m = pv.tables["model"].iloc[0]
            if m["mode"] == "temporal":
                st.caption(
                    t(
                        "churn.model.temporal",
                        days=int(d["days"]),
                        train=md(m["train_cutoffs"]),
                        eval=md(m["eval_cutoff"]),
                        as_of=md(m["as_of"]),
                    )
                )
            else:
                st.caption(t("churn.model.snapshot"))
            f3 = lambda v: "—" if v is None or v != v else f"{v:.3f}"  # noqa: E731
            st.markdown(
                t(
                    "churn.model.scores",
                    auc=f3(m["roc_auc"]),
                    base=f3(m["baseline_roc_auc"]),
                    rule=f3(m["rule_roc_auc"]),
                    feature=md(feature(m["rule"])) if m["rule"] else "—",
                    pr=f3(m["pr_auc"]),
                    base_pr=f3(m["baseline_pr_auc"]),
                    rule_pr=f3(m["rule_pr_auc"]),
                )
            )
            left, right = st.columns(2)
            with left:
                chart(charts.calibration(pv.tables["calibration"], t), "churn_calibration")
            with right:
                chart(charts.importance(pv.tables["importance"], feature, t), "churn_importance")
            refused = pv.tables["refused"]
            if len(refused):
                with st.expander(t("churn.model.refused")):
                    shown = refused.assign(
                        feature=[feature(f) for f in refused["feature"]],
                        reason=[i18n.text(r, ctx.lang) for r in refused["reason"]],
                    )
                    table(ctx, shown, prefix="col")
            st.subheader(t("churn.risk.list"))
            count = pv.tables["at_risk_count"].iloc[0]
            st.caption(
                t(
                    "churn.risk.count",
                    count=f"{int(count['customers']):,}",
                    basis=t(f"churn.risk.basis.{count['value_basis']}"),
                    shown=min(int(count["customers"]), AT_RISK_SHOWN),
                )
            )
            listed = pv.tables["at_risk"]
            listed = listed.assign(
                reasons=[churn_model.reason_text(r, feature) for r in listed["reasons"]],
                risk=[formatting.value(r, "pct", ctx.lang) for r in listed["risk"]],
                **({"tier": [code_label("tier", v) if v else v for v in listed["tier"]]} if "tier" in listed else {}),
            )
            customer_links(listed, key="churn_at_risk")
            model = churn_model.cached(scope, in_force)

            attrs = ()
            if scope.snap.has("customers"):
                attrs = tuple(
                    st.multiselect(
                        t("seg.members.attrs"),
                        [c for c in ctx.ws.columns("customers", scope.snap) if c not in ("customer_id", "name")],
                        key="churn_attrs",
                        placeholder=t("app.choose"),
                    )
                )
            if model is not None:
                list_downloads(
                    ctx,
                    lambda: churn_model.retention_list(scope, model, feature, attrs),
                    f"retention-list-v{scope.snap.version}",
                    ("churn.risk.csv", "churn.risk.xlsx"),
                    "churn",
                )
