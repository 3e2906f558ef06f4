"""Churn (流失): the definition in force, trend, churn by attribute, cohorts, survival and the
churn-risk model with its at-risk list (维系挽留)."""

from dataclasses import replace

import streamlit as st

from insight.domain import churn
from insight.ml import churn_model
from insight.ui import churn_tabs
from insight.ui.cache import view
from insight.ui.interact import page_header
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice, number
from insight.ui.widgets import kpi_cards, ready
from insight.views.views import CHURN_KPIS

ctx = context()
t = ctx.t
ctx, options = page_header(ctx, "churn")
has_flag = ctx.scope.has("customers", "churned")
has_orders = ctx.scope.has("orders", "customer_id", "order_date")
kinds = tuple(k for k, ok in zip(churn.DEFINITIONS, (has_flag, has_orders), strict=True) if ok) or churn.DEFINITIONS
top = st.columns([2, 1, 3])
with top[0]:
    choice("churn", t("churn.def.label"), lambda k: t(f"churn.def.{k}"), "segmented", options=kinds)
with top[1]:
    number("days", t("churn.days"))
with top[2]:
    tab = choice("tab", t("churn.section"), lambda x: t(f"churn.tab.{x}"), "segmented")
scope = replace(ctx.scope, filters=ctx.filters)
in_force, _ = churn.definition(scope)
if tab == "risk":  # train first, with a progress bar; the view then reads the cached model
    if churn.available(scope, in_force) and churn_model.cached(scope, in_force) is None:
        bar = st.progress(0.0, text=t("churn.model.training"))
        progress = lambda f, stage: bar.progress(f, text=t(f"churn.model.stage.{stage}"))  # noqa: E731
        guard(churn_model.train, scope, in_force, progress)
        bar.empty()
pv = guard(view, ctx, "churn", {"ret": "", "cohorts": ""})  # the open tab's figures only
if ready(ctx, pv) and pv.definition is not None:
    d = pv.definition
    st.caption(t(f"churn.why.{d.reason}", days=int(d.days)))
    if d.kind == "explicit" and not d.dated:
        st.caption(t("churn.why.undated"))
    kpi_cards(ctx, {m: pv.kpis[m] for m in CHURN_KPIS})
    attrs = pv.attributes
    if tab == "trend":
        churn_tabs.trend(ctx, pv, d)
    elif tab == "attribute":
        churn_tabs.by_attribute(ctx, pv, d, attrs)
    elif tab == "cohorts":
        churn_tabs.cohorts(ctx, pv, options["cohorts"])
    elif tab == "survival":
        churn_tabs.survival(ctx, pv, d, attrs)
    elif tab == "risk":
        churn_tabs.risk(ctx, pv, d, scope, in_force)
