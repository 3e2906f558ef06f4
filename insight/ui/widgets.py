"""Reusable page parts: KPI cards and the placeholder of pages still to come."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight import formatting, i18n, metrics
from insight.alerts import describe
from insight.ui.shell import Context, empty_state, show_notes
from insight.views import Kpi, missing_tables


def kpi_cards(ctx: Context, kpis: dict[str, Kpi], per_row: int = 5, sparks: dict | None = None) -> None:
    """One card per KPI: value, change against the comparison, sparkline, definition on hover.
    A KPI whose table or column is missing says so instead of showing 0."""
    items = list(kpis.values())
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, kpi in zip(cols, items[start : start + per_row], strict=False):
            m = metrics.REGISTRY[kpi.id]
            with col:
                if not kpi.available:
                    st.metric(
                        ctx.t(m.label),
                        "—",
                        help=ctx.t(m.definition),
                        border=True,
                        delta=ctx.t("kpi.missing", table=ctx.t(f"table.{kpi.table}")),
                        delta_color="off",
                        delta_arrow="off",
                    )
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


def view_notes(ctx: Context, pv) -> None:
    """Notes the page's own figures added (e.g. an ignored page option), beyond the scope's."""
    for note in pv.notes:
        if note not in ctx.scope.notes:
            st.warning(ctx.t("app.note", note=i18n.text(note, ctx.lang, markdown=True)), icon=":material/warning:")


def placeholder(ctx: Context, page: str) -> None:
    """A page that a later release fills: title, notes, the empty state or a note."""
    st.title(ctx.t(f"page.{page}"))
    show_notes(ctx)
    missing = missing_tables(ctx.scope, page)
    if missing:
        empty_state(ctx, missing)
    else:
        st.info(ctx.t("page.coming"), icon=":material/construction:")


#: Amounts shown with thousands separators and no long decimals.
MONEY_COLUMNS = {"revenue", "monetary", "equity", "avg_clv", "clv", "amount"}


def table(ctx: Context, frame, prefix: str) -> None:
    """A small table with translated column titles (`{prefix}.{column}` in the catalog)."""

    config = {}
    for c in frame.columns:
        key = next((k for k in (f"{prefix}.{c}", f"metric.{c}", f"dim.{c}") if k in i18n.CATALOG), None)
        label = ctx.t(key) if key else c
        if c.endswith(("_share", "_rate", "retention")) or c in ("low", "high"):
            config[c] = st.column_config.NumberColumn(label, format="percent")
        elif c in MONEY_COLUMNS:
            config[c] = st.column_config.NumberColumn(label, format="localized")
        elif pd.api.types.is_float_dtype(frame[c]):
            config[c] = st.column_config.NumberColumn(label, format="%.1f")
        else:
            config[c] = label
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def alert_list(ctx: Context, alerts) -> None:
    """Alerts as warning lines, in the language of the page."""
    if alerts is None or alerts.empty:
        st.success(ctx.t("overview.alerts.none"), icon=":material/check_circle:")
        return
    for a in alerts.to_dict("records"):
        st.warning(describe(a, ctx.lang, markdown=True), icon=":material/notification_important:")
