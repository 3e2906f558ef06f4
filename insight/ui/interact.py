"""Interaction on every page: drillable charts, breadcrumb chips, the share link and View rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import pickle
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import plotly.io
import streamlit as st
from plotly.basedatatypes import convert_to_base64

from insight import chart_style
from insight.auth import audit
from insight.cache import memo
from insight.charts import base as chart_base
from insight.charts import margins
from insight.domain import annotations
from insight.escape import md
from insight.i18n import column_label
from insight.semantic.filters import DIMENSIONS
from insight.ui import auth
from insight.ui.filterbar import code_label
from insight.ui.saved import chart_marks, notes_control, save_view
from insight.ui.shell import Context, context, show_note, show_notes, tr
from insight.ui.urlstate import link_params, page_options
from insight.views import drill, export, rows
from insight.views.options import PageOptions
from insight.views.views import PAGES, sections_apart

#: The smallest margins of a chart; `margins.fit` widens them to hold its labels.
MARGIN = {"t": 40, "b": 10, "l": 10, "r": 10}
#: Plotly modebar: PNG export at twice the size; the Plotly logo off.
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def chart(
    build: Callable[[], dict],
    key: str,
    *,
    dim: str | None = None,
    grain: str | None = None,
    pick: str | None = None,
    height: int | None = None,
    vary: tuple = (),
) -> None:
    """A Plotly chart whose clicks drill: points carry their drill key in `custom_data`. A time
    chart draws the campaign periods and dated notes of its range; user text in it stays text.

    `build()` makes the figure; it runs once per view for everyone who may see it (`finished`),
    so it must draw only from the page's view and options, plus what `vary` names.
    `dim`: a click adds the clicked value(s) to that global filter. `grain`: a click on a time
    bucket sets the period to that bucket. `pick`: a click sets that page parameter (bound to
    the URL by the page) to the clicked key.
    """
    fig = _Finished(finished(context(), build, key, height, vary))
    config = {**PLOTLY_CONFIG, "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": key}}
    if dim is None and grain is None and pick is None:
        st.plotly_chart(fig, key=key, width="stretch", config=config)
        return
    st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        config=config,
        on_select=partial(_on_select, key, dim, grain, pick),
        selection_mode="points",
    )


def finished(ctx: Context, build: Callable[[], dict], key: str, height: int | None, vary: tuple = ()) -> dict:
    """The chart `key` of this view as Streamlit sends it (a figure dict): built, styled in the
    reader's language, with its notes drawn and its data text escaped. Made once per view and
    shared by every session that opens it (insight/cache.py), keyed by everything it is drawn
    from: the workspace, the data version, the user's rows and role, the page and its URL state
    (filters and options), the language, the notes' revision and the day. The open section (`tab`,
    `more`) is not part of it: a chart is drawn by one section, from the state's figures, so
    opening another section or the one below the fold keeps the charts already drawn."""
    view = (str(ctx.ws.path), ctx.scope.snap.version, ctx.scope.rows.key, ctx.user.role)
    page = (st.session_state.get("_options_page"), sections_apart(ctx.filters).to_query(), vary)
    ident = (*view, *page, ctx.lang, key, height, ctx.marks_revision, dt.date.today())
    return _finish(ident, partial(_draw, ctx, build, height))


@memo(512, key=lambda ident, draw: ident)
def _finish(ident: tuple, draw: Callable[[], dict]) -> dict:
    return draw()


def _draw(ctx: Context, build: Callable[[], dict], height: int | None) -> dict:
    return _styled(build(), ctx.lang, height, tuple(chart_marks(ctx)))


def _figure_key(fig: dict, lang: str, height: int | None, marks: tuple) -> tuple:
    """A built figure dict by its content (a digest), with what styles it: the same figure from
    other data versions, filters or workspaces (a filter its table ignores, an import of another
    table) is styled once. A figure that cannot be pickled is a key of its own."""
    try:
        content = pickle.dumps(fig, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return (object(),)
    return (hashlib.blake2b(content, digest_size=20).digest(), lang, height, marks)


@memo(512, key=_figure_key, content=True)
def _styled(fig: dict, lang: str, height: int | None, marks: tuple) -> dict:
    """`fig` styled in `lang`, escaped, its `marks` drawn and its margins fitted: the figure dict
    Plotly's `to_dict` would give (the figure was built for this call, so its parts become the
    spec)."""
    spec = _Spec(chart_base.inert(chart_style.apply(fig, lang)))
    if height:
        chart_style.relayout(spec, height=height)
    annotations.draw(spec, list(marks))
    convert_to_base64(spec)  # numbers as typed arrays, as `to_dict` sends them
    spec["layout"]["margin"] = margins.fit(spec, MARGIN)  # room for the labels: drawn once in the browser
    spec["layout"]["template"] = chart_style.template()
    return spec


class _Spec(dict):
    """A finished chart's figure dict, which carries its JSON once made: `st.plotly_chart` writes
    the figure as JSON on every run (`plotly.io.to_json`), 3 % of a cached run's Python (profiled);
    a spec is shared and never written once finished, so its JSON is made once (`_to_json`)."""

    json: str | None = None


def _to_json(fig, *args, **kwargs) -> str:
    """`plotly.io.to_json`, made once per finished spec (the call `st.plotly_chart` makes)."""
    if type(fig) is not _Spec or args or kwargs != {"validate": False}:
        return _PLOTLY_TO_JSON(fig, *args, **kwargs)
    if fig.json is None:
        fig.json = _PLOTLY_TO_JSON(dict(fig), validate=False)
    return fig.json


_PLOTLY_TO_JSON = getattr(plotly.io.to_json, "plain", plotly.io.to_json)
_to_json.plain = _PLOTLY_TO_JSON
plotly.io.to_json = _to_json


class _Finished(go.Figure):
    """A figure already drawn, as its dict: `st.plotly_chart` reads it through `to_dict`, so it
    is neither validated nor copied again on every run (a dict would be validated each time)."""

    def __init__(self, spec: dict) -> None:  # no Figure of its own to build (about 1 ms)
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def _on_select(key: str, dim: str | None, grain: str | None, pick: str | None = None) -> None:
    state = st.session_state.get(key)
    clicked = drill.clicked_values(state.selection if state else None)
    if not clicked:
        return
    if dim:
        st.session_state[dim] = drill.add_values(st.session_state.get(dim) or [], dim, clicked)
    elif pick:
        st.session_state[pick] = clicked[0]
    elif grain:
        start, end = drill.bucket_period(clicked[0], grain)
        st.session_state["from"], st.session_state["to"] = start, end


def breadcrumbs(ctx: Context) -> None:
    """Active drills and filters as chips; each chip's ✕ removes it."""
    chips: list[tuple[str, str, str | None]] = []
    if ctx.filters.start or ctx.filters.end:
        chips.append(
            ("period", f"{tr('app.period.short')}: {ctx.filters.start or '…'} – {ctx.filters.end or '…'}", None)
        )
    for d in DIMENSIONS:
        chips += [(d.key, f"{tr(d.label)}: {code_label(d.key, v)}", v) for v in ctx.filters.values(d.key)]
    if not chips:
        return
    with st.container(horizontal=True, vertical_alignment="center"):  # one block, wrapping, not a column each
        st.caption(tr("drill.active"), width="content")
        for key, label, value in chips:
            chip = md(label) + " ✕"
            st.button(chip, key=f"chip_{key}_{value}", on_click=_remove, args=(key, value), help=tr("drill.remove"))


def _remove(key: str, value: str | None) -> None:
    if key == "period":
        st.session_state["from"] = st.session_state["to"] = None
    else:
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v != value]


def share_link(ctx: Context, page: str) -> str:
    """The full URL of this view, from its parsed state (filters and options), pinned to the data
    version so the numbers stay the same."""
    params = link_params(ctx.filters, ctx.scope.snap.version)
    base = (st.context.url or "").rstrip("/")
    if base.rsplit("/", 1)[-1] in {*PAGES, "home"}:
        base = base.rsplit("/", 1)[0]
    url = f"{base}/{page}?{urlencode(params, doseq=True)}"
    st.html(_copy_button(url), width="content", unsafe_allow_javascript=True)
    return url


#: The Copy link button's behaviour: the link onto the clipboard (the Clipboard API, else the older
#: copy command), and where neither is allowed (a plain-http address) the link in a box to copy.
_COPY_SCRIPT = """<script>
if (!window.ciCopy) {
  window.ciCopy = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.ci-copy");
    if (!button) return;
    const url = button.dataset.url, label = button.querySelector(".ci-label");
    const done = () => {
      label.textContent = button.dataset.done;
      setTimeout(() => { label.textContent = button.dataset.label; }, 2000);
    };
    const fallback = () => {
      const area = document.createElement("textarea");
      area.value = url;
      document.body.appendChild(area);
      area.select();
      let copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      area.remove();
      if (copied) done(); else window.prompt(button.dataset.ask, url);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, fallback);
    else fallback();
  });
}
</script>"""
_COPY_STYLE = (
    "display:inline-flex;align-items:center;gap:.4rem;min-height:2.5rem;padding:.25rem .75rem;"
    "border:1px solid rgba(49,51,63,.2);border-radius:.5rem;background:#fff;font:inherit;cursor:pointer"
)


def _copy_button(url: str) -> str:
    """A button that copies `url` (every value HTML-escaped; the script reads them as data)."""
    attrs = {"url": url, "label": tr("share.copy"), "done": tr("share.copied"), "ask": tr("share.ask")}
    data = " ".join(f'data-{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    icon = '<span aria-hidden="true" style="font-family:\'Material Symbols Rounded\';font-size:1.1rem">link</span>'
    return (
        f'<button type="button" class="ci-copy" {data} title="{html.escape(tr("share.help"), quote=True)}" '
        f'style="{_COPY_STYLE}">{icon}<span class="ci-label">{html.escape(tr("share.copy"))}</span></button>'
        + _COPY_SCRIPT
    )


def view_rows(ctx: Context, table: str, key: str) -> None:
    """The rows behind the view: paged and sorted on the server, exportable as CSV or Excel
    (analysts and up: a viewer sees neither). Read only while the section is open: opening it
    reruns the page, which then reads them."""
    if not ctx.can("rows"):
        return
    label = tr("rows.title", table=tr(f"table.{table}"))
    with st.expander(label, icon=":material/table_rows:", key=f"{key}_open", on_change="rerun") as box:
        if not box.open:
            return
        cols = rows.visible_columns(ctx.scope, table)
        a, b, c, d = st.columns([2, 1, 1, 1])
        sort = a.selectbox(tr("rows.sort"), cols, key=f"{key}_sort", format_func=partial(column_label, lang=ctx.lang))
        descending = b.toggle(tr("rows.descending"), key=f"{key}_desc")
        size = c.selectbox(tr("rows.page_size"), rows.PAGE_SIZES, index=1, key=f"{key}_size")
        number = d.number_input(tr("rows.page"), min_value=1, value=1, step=1, key=f"{key}_page")
        result = rows.page(ctx.scope, table, number=int(number), size=size, sort=sort, descending=descending)
        customer_links(result.rows, key=f"{key}_grid")
        st.caption(tr("rows.count", total=f"{result.total:,}", page=f"{result.page:,}", pages=f"{result.pages:,}"))
        if result.total > rows.EXPORT_CAP:
            st.caption(tr("rows.export_cap", cap=f"{rows.EXPORT_CAP:,}"))
        if not ctx.can("export"):
            return
        e1, e2 = st.columns(2)
        name = f"{table}-{ctx.scope.snap.version}"
        e1.download_button(
            tr("rows.csv"),
            partial(_csv, ctx, table, sort, descending),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
        )
        e2.download_button(
            tr("rows.xlsx"),
            partial(_xlsx, ctx, table, sort, descending),
            file_name=f"{name}.xlsx",
            key=f"{key}_xlsx",
            icon=":material/download:",
        )


def _csv(ctx, table, sort, descending) -> bytes:
    frame, _ = rows.export(ctx.scope, table, sort=sort, descending=descending)
    exported(ctx, f"{table} rows, {len(frame):,} (CSV)")
    return export.csv_bytes(frame)


def _xlsx(ctx, table, sort, descending) -> bytes:
    frame, _ = rows.export(ctx.scope, table, sort=sort, descending=descending)
    exported(ctx, f"{table} rows, {len(frame):,} (Excel)")
    return export.excel_bytes({table: frame, "filters": pd.DataFrame(ctx.filters.describe())})


def exported(ctx: Context, what: str) -> None:
    """Record an export in the audit log: what, with the view's link state and data version."""
    state = ctx.filters.to_query() or "-"
    audit.record(ctx.ws, ctx.user.name, "export", f"{what}; v{ctx.scope.snap.version}; {state}", auth.origin())


def customer_links(frame: pd.DataFrame, key: str, prefix: str | None = "col") -> None:
    """A table whose customer IDs open the customer page, titled from the catalog."""
    from insight.ui.widgets import table

    table(context(), frame, prefix, key=key)


def list_downloads(ctx: Context, build, name: str, labels: tuple[str, str], key: str) -> None:
    """CSV and Excel downloads of a customer list (analysts and up), labelled by the catalog keys
    `labels`. `build()` gives (customers, trace); the Excel file carries the trace (data version,
    period, filters, group) on a side sheet."""
    if not ctx.can("export"):
        return

    def made(kind: str):
        listed = build()
        exported(ctx, f"{name}, {len(listed[0]):,} customers ({kind})")
        return listed

    a, b = st.columns(2)
    a.download_button(
        tr(labels[0]),
        lambda: export.csv_bytes(made("CSV")[0]),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    b.download_button(
        tr(labels[1]),
        lambda: export.excel_bytes(dict(zip(("customers", "filters"), made("Excel"), strict=True))),
        file_name=f"{name}.xlsx",
        key=f"{key}_xlsx",
        icon=":material/download:",
    )


def page_header(ctx: Context, page: str, chips: bool = True) -> tuple[Context, PageOptions]:
    """Title with the Copy link, Save view and Notes controls, the notes about ignored parameters,
    and the filter chips. Returns the page's context, whose filters carry the page's options
    (parsed once from the URL), and those options, typed."""
    filters, options, notes = page_options(page)
    ctx = replace(ctx, filters=filters)
    st.session_state["_ctx"] = ctx
    # one row, one block (columns and a row of tools in one were four): the title takes the room
    # the tools leave, and they wrap under it where the page is narrow
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title(tr(f"page.{page}"))
        share_link(ctx, page)
        save_view(ctx, page)
        notes_control(ctx)
    show_notes(ctx)
    for note in notes:
        show_note(ctx, note)
    if chips:
        breadcrumbs(ctx)
    return ctx, options
