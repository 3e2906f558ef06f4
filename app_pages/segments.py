"""Segments: RFM, movement between segments, value tiers, clusters and lifetime value."""

import streamlit as st

from insight.ui import segment_tabs
from insight.ui.cache import view
from insight.ui.interact import page_header
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice
from insight.ui.widgets import kpi_cards, ready
from insight.views.views import SEGMENT_KPIS

ctx = context()
t = ctx.t
ctx, options = page_header(ctx, "segments")
tab = choice("tab", t("seg.section"), lambda x: t(f"seg.tab.{x}"), "segmented")
k = choice("k", t("seg.k"), lambda v: v or t("seg.k.auto")) if tab == "clusters" else options["k"]
pv = guard(view, ctx, "segments", {"grid": ""})  # the open tab's figures only
if ready(ctx, pv) and pv.segments is None:
    st.info(t("seg.no_customers"), icon=":material/info:")
elif pv is not None and pv.segments is not None:  # ready, with customers to rank
    kpi_cards(ctx, {m: pv.kpis[m] for m in SEGMENT_KPIS})
    if tab == "clusters":
        segment_tabs.clusters(ctx, pv, k)
    else:
        getattr(segment_tabs, tab)(ctx, pv)
    segment_tabs.members(ctx, pv, options["members"], k)
