"""Reusable page parts: the empty states, KPI cards, notes, coverage, tables and alerts."""

from __future__ import annotations

import math
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from insight import formatting, i18n
from insight.cache import memo
from insight.escape import md
from insight.reports.alerts import describe
from insight.semantic import metrics
from insight.semantic.scope import PAGE_TABLES
from insight.ui.shell import Context, empty_state, show_note
from insight.views.views import Kpi, reason


def kpi_cards(ctx: Context, kpis: dict[str, Kpi], per_row: int = 5, sparks: dict | None = None) -> None:
    """One card per KPI: value, change against the comparison, sparkline, definition on hover.
    A card without a figure (its table or column is missing, or the table has no rows in the
    period) or without a comparison says so in short instead of showing 0; the reasons follow
    under the cards, each once, with the cards they concern."""
    reasons: dict[i18n.Message, list[str]] = {}
    items = list(kpis.values())
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, kpi in zip(cols, items[start : start + per_row], strict=False):
            m = metrics.REGISTRY[kpi.id]
            card_label = ctx.t(m.label)
            help_text = ctx.t(m.definition)
            if why := reason(kpi):
                reasons.setdefault(why, []).append(card_label)
                help_text += "\n\n" + i18n.text(why, ctx.lang, markdown=True)
            with col, st.container(border=True, height="stretch"):
                if kpi.missing or kpi.value is None and kpi.note is not None:
                    short = "kpi.short.missing" if kpi.missing else "kpi.short.outside"
                    st.metric(card_label, "—", help=help_text, delta=ctx.t(short), delta_color="off", delta_arrow="off")
                    continue
                change = formatting.change(kpi.change, kpi.change_pct, m.fmt, ctx.lang)
                st.metric(
                    card_label,
                    formatting.value(kpi.value, m.fmt, ctx.lang),
                    delta=change if kpi.note is None else ctx.t("kpi.short.no_compare"),
                    delta_color="off" if not kpi.change else "normal" if m.up_is_good else "inverse",
                    delta_arrow="auto" if kpi.note is None else "off",
                    help=help_text,
                )
                if line := sparkline((sparks or {}).get(kpi.id, ())):
                    st.html(line)
    for why, labels in reasons.items():
        st.caption(ctx.t("kpi.why", metrics=md(", ".join(labels)), why=i18n.text(why, ctx.lang, markdown=True)))


#: A sparkline's box (its width stretches with the card) and the colour of its line.
SPARK_HEIGHT = 36
SPARK_COLOR = "#1f6feb"


def sparkline(values, height: int = SPARK_HEIGHT) -> str:
    """A KPI's trend as an inline SVG line under its card, its lowest value at the bottom and its
    highest at the top (blanks skipped); "" with fewer than two values. Drawn here rather than with
    `st.metric(chart_data=…)`, which loads Vega-Lite (a second chart library beside Plotly) and
    embeds one Vega view per card: half a second of the browser's work on every visit."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(float(v))]
    if len(points) < 2:
        return ""
    left, right = points[0][0], points[-1][0]
    low, high = min(y for _, y in points), max(y for _, y in points)
    pad = 2  # half the stroke: the extremes are not cut

    def y_of(y: float) -> float:
        return height - pad - (y - low) / (high - low) * (height - 2 * pad) if high > low else height / 2

    coords = " ".join(f"{100 * (x - left) / (right - left):.2f},{y_of(y):.2f}" for x, y in points)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 {height}" preserveAspectRatio="none">'
        f'<polyline points="{coords}" fill="none" stroke="{SPARK_COLOR}" stroke-width="2" stroke-linecap="round" '
        'stroke-linejoin="round" vector-effect="non-scaling-stroke"/></svg>'
    )
    # an image: st.html keeps no inline SVG (its sanitiser allows HTML only)
    source = quote(svg)
    return f'<img data-testid="ciSparkline" alt="" width="100%" height="{height}" src="data:image/svg+xml,{source}">'


def ready(ctx: Context, pv) -> bool:
    """Whether the page can draw the view `pv`: shows its notes first, then the empty state when
    the data lacks what the page needs or the view asks only for rows outside the user's scope."""
    if pv is None:  # an error, already shown
        return False
    view_notes(ctx, pv)
    if pv.outside:
        st.info(ctx.t("empty.outside"), icon=":material/visibility_off:")
        return False
    if pv.missing:
        empty_state(ctx, pv.missing)
        return False
    return True


def view_notes(ctx: Context, pv, kinds: tuple[str, ...] = ("ignored", "period", "data")) -> None:
    """Notes the page's own figures added (e.g. an ignored page option), beyond the scope's; the
    coverage notes go under the figures they qualify (`kinds=("coverage",)`)."""
    for note in pv.notes:
        if note not in ctx.scope.notes and i18n.note_kind(note) in kinds:
            show_note(ctx, note)


#: The page that shows a table in its own period when the rest of the data's period misses it.
OWN_PAGE = {table: page for page, table in PAGE_TABLES.items()}


def period_coverage(ctx: Context, coverage: pd.DataFrame) -> None:
    """Which dated tables the period covers, and where to see those it does not."""
    covered = [
        ctx.t("period.covered", table=ctx.t(f"table.{r.table}"), first=md(r.first), last=md(r.last))
        for r in coverage.itertuples()
        if r.in_period
    ]
    if covered:
        st.caption(ctx.t("period.covers", tables=", ".join(covered)))
    for r in coverage.itertuples():
        if r.in_period:
            continue
        table_label = ctx.t(f"table.{r.table}")
        first = md(r.first)
        last = md(r.last)
        page = OWN_PAGE.get(r.table)
        if page:
            shown = ctx.t("period.outside", table=table_label, first=first, last=last, page=ctx.t(f"page.{page}"))
        else:
            shown = ctx.t("period.outside_plain", table=table_label, first=first, last=last)
        st.info(shown, icon=":material/date_range:")


def chart_or_why(ctx: Context, frame, why: str) -> bool:
    """True when `frame` has rows to draw; otherwise says why there is nothing (no empty axes)."""
    if frame is not None and len(frame):
        return True
    st.caption(ctx.t("empty.chart", why=md(why)))  # `why` is catalog text; escaping it changes nothing seen
    return False


def table(
    ctx: Context, frame, prefix: str | None = "col", *, key: str | None = None, static: bool = False, **kwargs
) -> None:
    """A table as readers read it (`formatting.table`): translated titles (`{prefix}.{column}`,
    `col.{column}` … in the catalog) and labels, figures formatted and right-aligned, customer IDs
    linking to their customer page. `static`: a short list drawn as plain text in the page (its
    cells are Markdown there, so escaped), not a scrolling grid."""
    formatted, grid = shown(frame, ctx.lang, prefix)
    if static:
        cells = formatted.frame.map(lambda v: md(v) if isinstance(v, str) else v)
        st.table(cells.rename(columns=formatted.titles).set_index(formatted.titles[frame.columns[0]]))
        return
    config: dict = {
        c: st.column_config.TextColumn(formatted.titles[c], alignment="right" if c in formatted.figures else None)
        for c in formatted.frame.columns
    }
    if "customer_id" in formatted.frame.columns:
        config["customer_id"] = st.column_config.LinkColumn(
            formatted.titles["customer_id"], display_text=r"customer\?id=(.*)"
        )
    st.dataframe(grid, hide_index=True, width="stretch", column_config=config, key=key, **kwargs)


def shown(
    frame: pd.DataFrame, lang: str, prefix: str | None = "col"
) -> tuple[formatting.Shown, pa.Table | pd.DataFrame]:
    """`formatting.table(frame, lang, prefix)` and the grid `st.dataframe` is given (the cells,
    customer IDs as links, as the Arrow table Streamlit would convert them to), made once per
    content: a table's cells are formatted one by one (Babel, the catalog), a tenth of a page run,
    and Streamlit converts a pandas frame to Arrow on every run, so both are shared by every run
    that shows the same rows, keyed by a hash of the values and the index (pandas, vectorised),
    the columns and their types. A frame pandas cannot hash is formatted, as a pandas grid."""
    try:
        digest = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except (TypeError, ValueError):  # unhashable cells (lists, dicts): no cache
        formatted = formatting.table(frame, lang, prefix)
        return formatted, _linked(formatted.frame)
    content = (digest, tuple(frame.columns), tuple(map(str, frame.dtypes)), lang, prefix)
    formatted = _shown(content, frame)
    return formatted, _grid(content, formatted.frame)


@memo(512, key=lambda content, frame: content)
def _shown(content: tuple, frame: pd.DataFrame) -> formatting.Shown:
    return formatting.table(frame, *content[-2:])


def _linked(cells: pd.DataFrame) -> pd.DataFrame:
    """Formatted cells with each customer ID as the link to its customer page."""
    if "customer_id" not in cells.columns:
        return cells
    links = [f"customer?id={v}" if v != formatting.MISSING else None for v in cells["customer_id"]]
    return cells.assign(customer_id=links)


@memo(512, key=lambda content, cells: content)
def _grid(content: tuple, cells: pd.DataFrame) -> pa.Table:
    """The grid as `st.dataframe` sends it, converted by Streamlit's own function (what it does
    with a pandas frame on every run), once per content."""
    return dataframe_util.convert_pandas_df_to_arrow_table(_linked(cells))


def record(ctx: Context, fields: dict) -> None:
    """One record (a customer's profile) as a two-column table: each field's title and its value
    in the field's own format."""
    if not fields:
        return
    formatted = formatting.table(pd.DataFrame([fields]), ctx.lang)
    frame = pd.DataFrame({"field": [formatted.titles[c] for c in fields], "value": formatted.frame.iloc[0].tolist()})
    table(ctx, frame)


def alert_list(ctx: Context, alerts) -> None:
    """Alerts as warning lines, in the language of the page."""
    if alerts is None or alerts.empty:
        st.success(ctx.t("overview.alerts.none"), icon=":material/check_circle:")
        return
    for a in alerts.to_dict("records"):
        st.warning(describe(a, ctx.lang, markdown=True), icon=":material/notification_important:")
