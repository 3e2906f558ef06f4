"""The global filter bar in the sidebar: period, comparison, dimension filters and the global
options, all in the URL (bound in the entrypoint, so they follow page switches), parsed once
into `Filters`; and opening a saved view with its whole state."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from insight import i18n
from insight.auth import access
from insight.auth.access import RowScope
from insight.cache import memo
from insight.db.workspace import Workspace, open_workspace
from insight.escape import md
from insight.i18n import Message, msg
from insight.semantic.filters import COMPUTED_DIMENSIONS, DIMENSIONS, Filters, dimension_values, whole_number
from insight.ui.urlstate import SHELL, choice, lang, read_stores, store, tr
from insight.views import options as schema

#: Date inputs accept any plausible business date; the period itself comes from the data.
_MIN_DATE, _MAX_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)

#: The URL parameters the entrypoint binds (they follow page switches): the stores of the
#: coded ones, and the bound filter widgets.
STORES = ("ds", "cmp", *(o.name for o in schema.GLOBAL))
GLOBAL_KEYS = frozenset({*STORES, "from", "to", *(d.key for d in DIMENSIONS)})


def language_switch(box: DeltaGenerator) -> None:
    """The language, its store in `box`. Drawn before the language of this run is known, so its
    label carries both languages."""
    _, notes = SHELL["lang"].parse(store(box, "lang"))
    choice("lang", i18n.t("app.language"), i18n.LANGS.get, widget="segmented", value=lang())
    for note in notes:  # before sign-in too: the language is the one thing shown then
        st.warning(i18n.text(note, lang(), markdown=True), icon=":material/warning:")


@memo(64)
def dimension_values_of(path: str, version: int, key: str, rows: RowScope) -> list[str]:
    """The values a filter offers: those of the rows the user may see (cached per row scope)."""
    ws = open_workspace(path)
    snap = access.restrict(ws, ws.snapshot(version), rows)
    columns = {t: set(ws.columns(t, snap)) for t in snap.tables}
    return dimension_values(ws, snap, columns, key)


def dimension_options(key: str) -> list[str]:
    """Every value of a dimension in the latest data (the admin's row-scope editor)."""
    ws = st.session_state["_ctx"].ws
    return dimension_values_of(str(ws.path), ws.version(), key, RowScope.all())


def filter_bar(ws: Workspace, rows: RowScope, box: DeltaGenerator) -> tuple[Filters, list[Message]]:
    """The filter bar, its stores in `box`; its values parsed once (`insight.views.options.parse`)
    with a note for every value ignored. A link's values outside the user's rows are kept (shown,
    with a note): the figures are the link's filters AND the user's rows, so such a link shows
    nothing of theirs."""
    st.subheader(tr("app.filters"))
    raw = read_stores(box, STORES)
    snap = ws.snapshot(whole_number((raw.get("ds") or [""])[0]))
    with st.container(horizontal=True, wrap=False):  # side by side, one block (columns would be three)
        for key, label in (("from", "app.from"), ("to", "app.to")):
            day = st.date_input(
                tr(label), value=None, key=key, bind="query-params", min_value=_MIN_DATE, max_value=_MAX_DATE
            )
            if day:
                raw[key] = [day.isoformat()]
    parsed, _ = Filters.from_query({"cmp": raw.get("cmp", [])})
    shown_in = lang()  # labels in this run's language (a format function outlives the run)
    choice("cmp", tr("app.cmp"), lambda c: i18n.t(f"app.cmp.{c}", shown_in), value=parsed.cmp)
    notes: list[Message] = []
    for dim in DIMENSIONS:
        if dim.key in COMPUTED_DIMENSIONS:
            options = list(segment_codes(dim.key)) if _has_customer_orders(str(ws.path), snap.version) else []
        else:
            options = dimension_values_of(str(ws.path), snap.version, dim.key, rows)
        if not options:
            continue
        asked = [v for v in st.query_params.get_all(dim.key) or st.session_state.get(dim.key) or [] if v]
        allowed = rows.allowed(dim.key)
        outside = [v for v in asked if allowed is not None and v not in allowed and v not in options]
        options = [*options, *dict.fromkeys(outside)]  # kept: they select none of the user's rows
        unknown = [v for v in asked if v not in set(options)]
        if unknown:
            notes.append(msg("ignored.not_in_data", dim=dim.key, values=", ".join(unknown)))
        if dim.key in COMPUTED_DIMENSIONS:
            chosen = _coded_multiselect(dim.key, options, tr(dim.label), box)
        else:
            chosen = st.multiselect(
                tr(dim.label), options=options, key=dim.key, bind="query-params", placeholder=tr("app.choose")
            )
        if chosen:
            raw[dim.key] = list(chosen)
    if any(st.session_state.get(d.key) for d in DIMENSIONS) or "from" in raw or "to" in raw:
        st.button(tr("app.clear"), on_click=_clear, width="stretch")
    filters, parse_notes = schema.parse("", raw)
    st.session_state["_options"], st.session_state["_options_page"] = schema.read("", filters), ""
    return filters, parse_notes + notes


def segment_codes(key: str) -> tuple[str, ...]:
    from insight.domain.segments import RFM_SEGMENTS, TIERS

    return RFM_SEGMENTS if key == "rfm" else TIERS


def code_label(key: str, value: str, language: str | None = None) -> str:
    """The translated label of a filter value (computed dimensions have codes; data values are shown as they are)."""
    if key in COMPUTED_DIMENSIONS and value in segment_codes(key):
        return i18n.t(f"{key}.{value}", language or lang())
    return value


@memo(16)
def _has_customer_orders(path: str, version: int) -> bool:
    ws = open_workspace(path)
    return "customer_id" in ws.columns("orders", ws.snapshot(version))


def _coded_multiselect(key: str, options: list[str], label: str, box: DeltaGenerator) -> list[str]:
    """A multi-valued filter kept in the URL as codes (`tier=diamond`) and shown translated.

    Its store is a hidden multiselect of the codes bound to the URL, in `box`; the visible one is
    keyed per language (its labels change with it) and mirrors the store in both directions.
    """
    codes = box.multiselect(md(key), options=options, key=key, bind="query-params", label_visibility="collapsed")
    shown_in = lang()  # labels in this run's language (a format function outlives the run)
    ui_key = f"_{key}_ui_{shown_in}"
    st.session_state[ui_key] = list(codes)
    st.multiselect(
        label,
        options=options,
        key=ui_key,
        format_func=lambda c: code_label(key, c, shown_in),
        placeholder=tr("app.choose"),
        on_change=_copy_codes,
        args=(key, ui_key),
    )
    return list(codes)


def _copy_codes(key: str, ui_key: str) -> None:
    st.session_state[key] = list(st.session_state[ui_key])


def _clear() -> None:
    for dim in DIMENSIONS:
        if dim.key in st.session_state:
            st.session_state[dim.key] = []
    st.session_state["from"] = None
    st.session_state["to"] = None


def load_view(page: str, params: dict[str, list[str]]) -> None:
    """Callback: open `page` with the whole URL state `params` (a saved view). A bound widget
    keeps its session value over a changed URL (and a bound URL parameter cannot be set), so the
    global filters get the view's values through `st.session_state` (values outside the reader's
    rows are kept: a view carries filters, never rights); the page's own options travel in the
    URL and `opened_view` switches to the page."""
    ctx = st.session_state["_ctx"]
    snap = ctx.ws.snapshot(whole_number((params.get("ds") or [""])[-1]))
    for key in GLOBAL_KEYS:
        values = [v for v in params.get(key, []) if v]
        if key in ("from", "to"):
            st.session_state[key] = _iso_date(values[-1]) if values else None
        elif key in COMPUTED_DIMENSIONS:
            st.session_state[key] = [v for v in values if v in segment_codes(key)]
        elif any(d.key == key for d in DIMENSIONS):
            known = set(dimension_values_of(str(ctx.ws.path), snap.version, key, ctx.user.rows))
            allowed = ctx.user.rows.allowed(key)
            outside = {v for v in values if allowed is not None and v not in allowed}
            st.session_state[key] = [v for v in dict.fromkeys(values) if v in known or v in outside]
        else:
            st.session_state[key] = values[-1] if values else ""
    for key in list(st.session_state):
        if key.startswith(("_cmp_ui_", "_rfm_ui_", "_tier_ui_")):
            del st.session_state[key]  # the translated mirrors follow the values above
    st.session_state["_open_page"] = (page, {k: v for k, v in params.items() if k not in GLOBAL_KEYS | {"lang"}})


def opened_view() -> None:
    """Switch to the page a `load_view` callback opened, with its own options in the URL."""
    target = st.session_state.pop("_open_page", None)
    if target:
        page, options = target
        st.switch_page(f"app_pages/{page}.py", query_params=options)


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
