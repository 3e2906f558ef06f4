"""The app shell: workspace, language switch and the global filter bar, all bound to the URL.

Every URL parameter that must survive a page switch is bound here, in the entrypoint. Values that
need a translated label (cmp, lang) or free text (ds) live in a hidden bound text input, and a
visible widget writes them through `st.session_state` in its callback.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace

import streamlit as st
from streamlit.logger import get_logger

from insight import i18n
from insight.auth import access
from insight.auth.access import RowScope
from insight.auth.users import OWNER, User
from insight.db.workspace import Workspace, open_workspace
from insight.demo_workspace import ensure_demo
from insight.errors import InsightError, QueryTimeout
from insight.escape import md
from insight.i18n import Message, msg
from insight.reports import runner
from insight.semantic.filters import (
    CMP_CHOICES,
    COMPUTED_DIMENSIONS,
    DEFAULT_CMP,
    DIMENSIONS,
    Filters,
    dimension_values,
    whole_number,
)
from insight.semantic.scope import Scope
from insight.ui import auth

#: Set INSIGHT_DEMO_ON_START=0 to start on an empty workspace (tests of empty states do).
DEMO_ON_START = os.environ.get("INSIGHT_DEMO_ON_START", "1") != "0"

#: Date inputs accept any plausible business date; the period itself comes from the data.
_MIN_DATE, _MAX_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)

LOG = get_logger("insight")

_HIDE_URL_STATE = "<style>[class*='st-key-urlstate_']{display:none}</style>"


#: URL parameters bound to widgets in the entrypoint (they follow page switches by themselves).
#: `tiers` (value-tier cut-offs) and `margin` (CLV) change what the tier filter and CLV mean on
#: every page, so they are global too (set on the Segments page).
GLOBAL_OPTIONS = ("tiers", "margin")
BOUND_PARAMS = frozenset({"lang", "ds", "from", "to", "cmp", *GLOBAL_OPTIONS, *(d.key for d in DIMENSIONS)})


@dataclass(frozen=True)
class Context:
    ws: Workspace
    lang: str
    filters: Filters
    scope: Scope | None  # None until `open_page` knows the page
    user: User = OWNER
    notes: tuple = ()  # the filter bar's notes, for the page's scope

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def can(self, action: str) -> bool:
        """Whether the signed-in user's role allows `action` (insight/auth/access.py ACTIONS)."""
        return access.can(self.user.role, action)


def context() -> Context:
    """The context the entrypoint built for this run (pages call this)."""
    return st.session_state["_ctx"]


def lang() -> str:
    value = st.session_state.get("lang") or i18n.DEFAULT_LANG
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **values) -> str:
    return i18n.t(key, lang(), **values)


def start() -> Context:
    """Run at the top of app.py on every rerun: sign-in, language and the filter bar. The scope
    follows in `open_page`, once the navigation knows the page."""
    ws = open_workspace()
    if DEMO_ON_START and ensure_demo(ws):
        st.toast(tr("app.demo_created"))
    st.html(_HIDE_URL_STATE)
    with st.sidebar:
        _language_switch()
    user = auth.gate(ws, lang())  # no figure, filter value or page before sign-in
    with st.sidebar:
        auth.account(ws, user, lang())
        filters, notes = _filter_bar(ws, user.rows)
    runner.start(ws)  # the due report schedules, while the app holds the workspace
    return Context(ws, lang(), filters, None, user, tuple(notes))


def open_page(ctx: Context, page: str) -> Context:
    """The context of the page about to run (app.py calls this once the navigation knows it):
    the scope of the filters for the user's rows, whose default period may follow the page's own
    table."""
    scope = Scope.open(ctx.ws, ctx.filters, list(ctx.notes), ctx.user.rows, page)
    ctx = replace(ctx, scope=scope)
    st.session_state["_ctx"] = ctx
    return ctx


def show_notes(ctx: Context) -> None:
    """The scope's notes (ignored URL values, the period in force) and the period caption."""
    for note in ctx.scope.notes:
        show_note(ctx, note)
        if getattr(note, "key", None) == "period.follows":  # this page's own period: offer it to every page
            st.button(tr("period.align"), on_click=_set_period, args=ctx.scope.period, icon=":material/date_range:")
    if ctx.scope.period:
        start, end = ctx.scope.period
        caption = ctx.t("app.period", start=md(start), end=md(end))
        st.html(_period_in_inputs(ctx, start, end))
    else:
        caption = ctx.t("app.period.none")
    st.caption(f"{caption} · {ctx.t('app.version', version=md(ctx.scope.snap.version))}")


def _period_in_inputs(ctx: Context, start: dt.date, end: dt.date) -> str:
    """The period in force written into the empty From/To boxes of the filter bar (a default
    period is not a chosen one, so the boxes stay empty and the URL without dates; this draws
    the dates over them until the user types or picks one)."""
    rules = []
    for key, day, chosen in (("from", start, ctx.filters.start), ("to", end, ctx.filters.end)):
        if chosen is None:
            empty = f".st-key-{key} [data-testid=stDateInputField]:has([data-placeholder=true]):not(:focus-within)"
            box = f"{empty} [data-testid=stDateInputFieldsScroller]"
            rules.append(
                f"{box}{{position:relative}}{box} span{{color:transparent}}"
                f'{box}::after{{content:"{day:%Y/%m/%d}";position:absolute;left:0;top:50%;'
                "transform:translateY(-50%);white-space:nowrap;pointer-events:none}"
            )
    return f"<style>{''.join(rules)}</style>"


#: How each kind of note is shown (`i18n.note_kind`).
_NOTE_STYLE = {
    "ignored": (st.warning, ":material/warning:"),
    "data": (st.info, ":material/info:"),
    "period": (st.info, ":material/date_range:"),
}


def show_note(ctx: Context, note) -> None:
    """One note in the language of the page, shown as its kind asks: an ignored URL value as a
    warning, what the data lacks or which period is in force as information, how many rows link
    between tables (coverage) as a caption."""
    text = i18n.text(note, ctx.lang, markdown=True)
    kind = i18n.note_kind(note)
    if kind == "coverage":
        st.caption(f":material/link: {text}")
        return
    element, icon = _NOTE_STYLE[kind]
    element(text, icon=icon)


def _set_period(start: dt.date, end: dt.date) -> None:
    st.session_state["from"], st.session_state["to"] = start, end


def url_value(key: str) -> str:
    """The raw value of a hidden URL parameter before its widget renders (for validation notes)."""
    value = st.session_state.get(key)
    if value is None:
        values = st.query_params.get_all(key)
        value = values[-1] if values else ""
    return value


def url_text(key: str) -> str:
    """A page's own URL parameter kept as text (`sub=…`, `sla=…`): set it through
    `st.session_state[key]` in a callback or before `st.rerun()`."""
    return _url_param(key)


def _url_param(key: str) -> str:
    """A hidden text input bound to the URL parameter `key`."""
    with st.container(key=f"urlstate_{key}"):
        return st.text_input(md(key), key=key, bind="query-params", label_visibility="collapsed")


def _sync(target: str, source: str, default: str, allowed: tuple[str, ...]) -> None:
    value = st.session_state[source]
    if value is None or value == default:
        st.session_state[target] = ""
    elif value in allowed:
        st.session_state[target] = value


def url_choice(
    key: str,
    options: tuple[str, ...],
    default: str,
    label: str,
    format_func,
    widget: str = "selectbox",
    note: bool = True,
) -> str:
    """A choice kept in the URL as its plain code (`cmp=yoy`), shown with translated labels.
    A URL value that is not an option falls back to the default with a visible note (`note=False`
    where the page's figures note it themselves).

    The code lives in a hidden bound text input; the visible widget writes it in a callback.
    The visible widget is keyed per language: its labels change with the language, and a widget
    whose labels change reports the old label as a new value.
    """
    raw = _url_param(key)
    current = raw if raw in options else default
    if note and raw and raw not in options:
        option_note(key, [raw], options)
    ui_key = f"_{key}_ui_{lang()}"
    common = {"key": ui_key, "format_func": format_func, "on_change": _sync, "args": (key, ui_key, default, options)}
    if ui_key in st.session_state:  # follow the URL when something else (a chart click) changed it
        if st.session_state[ui_key] != current:
            st.session_state[ui_key] = current
    elif widget == "segmented":
        common["default"] = current
    else:
        common["index"] = options.index(current)
    if widget == "segmented":
        st.segmented_control(label, options=list(options), **common)
    else:
        st.selectbox(label, options=list(options), **common)
    return current


def option_note(key: str, values: list[str], options) -> None:
    """A visible note that URL values of a page option were ignored, with the valid choices."""
    choices = ", ".join(str(o) for o in list(options)[:12] if o != "") + (" …" if len(options) > 12 else "")
    note = i18n.msg("ignored.option", param=key, value=", ".join(values), choices=choices)
    st.warning(i18n.text(note, lang(), markdown=True), icon=":material/warning:")


def url_flag(key: str, label: str) -> bool:
    """An on/off page option kept in the URL (`share=true`); any other value gets a note."""
    raw = url_value(key)
    if raw not in ("", "true", "false", True, False):
        option_note(key, [str(raw)], ("true", "false"))
        st.session_state[key] = False
    return st.toggle(label, key=key, bind="query-params")


def url_number(key: str, default: int, low: int, high: int, label: str) -> int:
    """A whole number kept in the URL (`days=60`), omitted when it is the default. Invalid URL
    values fall back to the default with a note."""
    raw = _url_param(key)
    number = whole_number(raw)
    current = number if number is not None and low <= number <= high else default
    if raw and current != number:
        option_note(key, [raw], (f"{low}–{high}",))
    st.number_input(
        label,
        low,
        high,
        current,
        step=1,
        key=f"_{key}_ui",
        on_change=_set_number,
        args=(key, f"_{key}_ui", default),
    )
    return current


def _set_number(key: str, source: str, default: int) -> None:
    value = st.session_state[source]
    st.session_state[key] = "" if value is None or int(value) == default else str(int(value))


def _language_switch() -> None:
    # Drawn before the language of this run is known, so its label carries both languages.
    url_choice("lang", tuple(i18n.LANGS), i18n.DEFAULT_LANG, i18n.t("app.language"), i18n.LANGS.get, widget="segmented")


@st.cache_data(show_spinner=False, max_entries=64)
def _options(path: str, version: int, key: str, rows: RowScope) -> list[str]:
    """The values a filter offers: those of the rows the user may see (cached per row scope)."""
    ws = open_workspace(path)
    snap = access.restrict(ws, ws.snapshot(version), rows)
    columns = {t: set(ws.columns(t, snap)) for t in snap.tables}
    return dimension_values(ws, snap, columns, key)


def dimension_options(key: str) -> list[str]:
    """Every value of a dimension in the latest data (the admin's row-scope editor)."""
    ws = context().ws
    return _options(str(ws.path), ws.version(), key, RowScope.all())


def _filter_bar(ws: Workspace, rows: RowScope) -> tuple[Filters, list[Message]]:
    st.subheader(tr("app.filters"))
    raw: dict[str, list[str]] = {}
    ds = _url_param("ds")
    if ds:
        raw["ds"] = [ds]
    snap = ws.snapshot(whole_number(ds))
    c1, c2 = st.columns(2)
    with c1:
        start = st.date_input(
            tr("app.from"), value=None, key="from", bind="query-params", min_value=_MIN_DATE, max_value=_MAX_DATE
        )
    with c2:
        end = st.date_input(
            tr("app.to"), value=None, key="to", bind="query-params", min_value=_MIN_DATE, max_value=_MAX_DATE
        )
    if start:
        raw["from"] = [start.isoformat()]
    if end:
        raw["to"] = [end.isoformat()]
    raw_cmp = url_value("cmp")
    if raw_cmp:
        raw["cmp"] = [raw_cmp]  # validated (with a note) by Filters.from_query
    shown_in = lang()  # labels in this run's language (a format function outlives the run)
    choice = lambda c: i18n.t(f"app.cmp.{c}", shown_in)  # noqa: E731
    url_choice("cmp", CMP_CHOICES, DEFAULT_CMP, tr("app.cmp"), choice, note=False)
    for key in GLOBAL_OPTIONS:
        if value := _url_param(key):
            raw[key] = [value]
    notes: list[Message] = []
    for dim in DIMENSIONS:
        if dim.key in COMPUTED_DIMENSIONS:
            options = list(segment_codes(dim.key)) if _has_customer_orders(str(ws.path), snap.version) else []
        else:
            options = _options(str(ws.path), snap.version, dim.key, rows)
        if not options:
            continue
        asked = [v for v in st.query_params.get_all(dim.key) if v]
        allowed = rows.allowed(dim.key)  # values outside the user's rows: dropped with the scope's note
        outside = [v for v in asked if allowed is not None and v not in allowed]
        if outside:
            notes.append(msg("ignored.outside_rows", dim=dim.key, values=", ".join(outside)))
        unknown = [v for v in asked if v not in set(options) and v not in outside]
        if unknown:
            notes.append(msg("ignored.not_in_data", dim=dim.key, values=", ".join(unknown)))
        if dim.key in COMPUTED_DIMENSIONS:
            chosen = _coded_multiselect(dim.key, options, tr(dim.label))
        else:
            chosen = st.multiselect(
                tr(dim.label), options=options, key=dim.key, bind="query-params", placeholder=tr("app.choose")
            )
        if chosen:
            raw[dim.key] = list(chosen)
    if any(st.session_state.get(d.key) for d in DIMENSIONS) or start or end:
        st.button(tr("app.clear"), on_click=_clear, width="stretch")
    filters, parse_notes = Filters.from_query(raw)
    return filters, parse_notes + notes


def segment_codes(key: str) -> tuple[str, ...]:
    from insight.domain.segments import RFM_SEGMENTS, TIERS

    return RFM_SEGMENTS if key == "rfm" else TIERS


def code_label(key: str, value: str, language: str | None = None) -> str:
    """The translated label of a filter value (computed dimensions have codes; data values are shown as they are)."""
    if key in COMPUTED_DIMENSIONS and value in segment_codes(key):
        return i18n.t(f"{key}.{value}", language or lang())
    return value


@st.cache_data(show_spinner=False, max_entries=16)
def _has_customer_orders(path: str, version: int) -> bool:
    ws = open_workspace(path)
    return "customer_id" in ws.columns("orders", ws.snapshot(version))


def _coded_multiselect(key: str, options: list[str], label: str) -> list[str]:
    """A multi-valued filter kept in the URL as codes (`tier=diamond`) and shown translated.

    A hidden multiselect of the codes is bound to the URL; the visible one is keyed per language
    (its labels change with it) and mirrors the hidden one in both directions.
    """
    with st.container(key=f"urlstate_{key}"):
        codes = st.multiselect(md(key), options=options, key=key, bind="query-params", label_visibility="collapsed")
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


def set_param(key: str, source: str) -> None:
    """Callback: copy a number widget's value into the URL parameter `key` (a bound widget)."""
    value = st.session_state[source]
    st.session_state[key] = f"{value:g}" if isinstance(value, float) else str(value)


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
    global filters get the view's values through `st.session_state` (values the reader's rows
    or the data do not have are left out); the page's own options travel in the URL and
    `opened_view` switches to the page."""
    ctx = context()
    snap = ctx.ws.snapshot(whole_number((params.get("ds") or [""])[-1]))
    for key in BOUND_PARAMS - {"lang"}:
        values = [v for v in params.get(key, []) if v]
        if key in ("from", "to"):
            st.session_state[key] = _iso_date(values[-1]) if values else None
        elif key in COMPUTED_DIMENSIONS:
            st.session_state[key] = [v for v in values if v in segment_codes(key)]
        elif any(d.key == key for d in DIMENSIONS):
            allowed = set(_options(str(ctx.ws.path), snap.version, key, ctx.user.rows))
            st.session_state[key] = [v for v in values if v in allowed]
        else:
            st.session_state[key] = values[-1] if values else ""
    for key in list(st.session_state):
        if key.startswith(("_cmp_ui_", "_rfm_ui_", "_tier_ui_")):
            del st.session_state[key]  # the translated mirrors follow the values above
    st.session_state["_open_page"] = (page, {k: v for k, v in params.items() if k not in BOUND_PARAMS})


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


def not_allowed(page: str):
    """The page shown at `page`'s URL to a role that may not open it: a note, no figure."""

    def render() -> None:
        st.title(tr(f"page.{page}"))
        st.warning(tr("access.not_allowed", role=tr(f"role.{context().user.role}")), icon=":material/block:")

    render.__name__ = f"not_allowed_{page}"
    return render


def guard(fn, *args, **kwargs):
    """Run `fn`; an InsightError becomes a message on the page instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except InsightError as exc:  # the message may quote a file, column or value: escaped
        icon = ":material/timer_off:" if isinstance(exc, QueryTimeout) else None
        st.error(f"**{tr('error.title')}** — {exc.text(lang(), markdown=True)}", icon=icon)
        return None


def raise_errors() -> bool:
    """`INSIGHT_RAISE_ERRORS=1` (the AppTest opener sets it): the error boundary re-raises after
    showing its message, so AppTest records the exception and the test fails."""
    return os.environ.get("INSIGHT_RAISE_ERRORS") == "1"


@contextmanager
def error_boundary():
    """Around everything a run draws: an unexpected error (a bug, not an `InsightError`) shows one
    short translated message with an error id, and its trace goes to the server log under that
    id. Streamlit's own st.rerun/st.stop are not errors (they are not `Exception`s) and pass."""
    try:
        yield
    except Exception as exc:
        error_id = uuid.uuid4().hex[:8]
        LOG.error("unexpected error %s", error_id, exc_info=exc)
        st.error(tr("error.unexpected", id=md(error_id)), icon=":material/error:")
        if raise_errors():
            raise


def empty_state(ctx: Context, missing: list[str]) -> None:
    """What the page needs and lacks, by table and column, with the way to the Data page."""
    from insight.views.views import needs_text

    st.info(md(needs_text(missing, ctx.lang)), icon=":material/folder_open:")
    st.page_link("app_pages/data.py", label=ctx.t("empty.upload"), icon=":material/upload:")
