"""Reusable page parts: KPI cards and the placeholder of pages still to come."""

from __future__ import annotations

import streamlit as st

from insight import formatting, metrics
from insight.ui.shell import Context, empty_state, show_notes
from insight.views import Kpi, missing_tables


def kpi_cards(ctx: Context, kpis: dict[str, Kpi], per_row: int = 5, sparks: dict | None = None) -> None:
    items = list(kpis.values())
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, kpi in zip(cols, items[start : start + per_row], strict=False):
            m = metrics.REGISTRY[kpi.id]
            with col:
                if not kpi.available:
                    st.metric(ctx.t(m.label), ctx.t("kpi.missing", table=ctx.t(f"table.{kpi.table}")),
                              help=ctx.t(m.definition), border=True)
                    continue
                st.metric(
                    ctx.t(m.label),
                    formatting.value(kpi.value, m.fmt, ctx.lang),
                    delta=formatting.change(kpi.change, kpi.change_pct, m.fmt, ctx.lang),
                    delta_color="off" if not kpi.change else "normal" if m.up_is_good else "inverse",
                    help=ctx.t(m.definition),
                    border=True,
                    chart_data=(sparks or {}).get(kpi.id),
                )


def placeholder(ctx: Context, page: str) -> None:
    """A page that a later release fills: title, notes, the empty state or a note."""
    st.title(ctx.t(f"page.{page}"))
    show_notes(ctx)
    missing = missing_tables(ctx.scope, page)
    if missing:
        empty_state(ctx, missing)
    else:
        st.info(ctx.t("page.coming"), icon=":material/construction:")
