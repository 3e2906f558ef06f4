"""The app shell: workspace, sign-in, language switch and the global filter bar (the URL state of
insight/ui/urlstate.py), the page context, notes and the error boundary."""

from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.logger import get_logger

from insight import i18n, serve
from insight.auth import access
from insight.auth.users import OWNER, User
from insight.db.workspace import Workspace, open_workspace
from insight.demo_workspace import ensure_demo
from insight.errors import InsightError, QueryTimeout
from insight.escape import md
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.ui import auth
from insight.ui.filterbar import filter_bar, language_switch
from insight.ui.urlstate import HIDE_STORES, lang, stores, tr

#: Set INSIGHT_DEMO_ON_START=0 to start on an empty workspace (tests of empty states do).
DEMO_ON_START = os.environ.get("INSIGHT_DEMO_ON_START", "1") != "0"

LOG = get_logger("insight")

#: The app's own styles, one element per run: the hidden stores, and the KPI cards' labels,
#: which wrap onto a second line rather than ending in "…" ("Complaints per 1,0…").
STYLES = (
    f"<style>{HIDE_STORES}[data-testid=stMetricLabel] *{{white-space:normal!important;"
    "overflow:visible!important;text-overflow:clip!important}</style>"
)


@dataclass(frozen=True)
class Context:
    ws: Workspace
    lang: str
    filters: Filters
    scope: Scope | None  # None until `open_page` knows the page
    user: User = OWNER
    notes: tuple = ()  # the filter bar's notes, for the page's scope
    stores: DeltaGenerator | None = None  # the run's hidden container of URL stores (`urlstate.stores`)

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def can(self, action: str) -> bool:
        """Whether the signed-in user's role allows `action` (insight/auth/access.py ACTIONS)."""
        return access.can(self.user.role, action)

    @functools.cached_property
    def marks_revision(self) -> tuple:
        """The dated notes' revision (how many, the last id), read once per run: the charts draw
        the notes of this revision (insight/ui/interact.py caches them by it). Notes are written
        through the workspace's writer, so it is read again only after a write."""
        sql = "SELECT count(*) AS n, max(id) AS last FROM _annotations"
        return self.ws.remembered("marks", lambda: tuple(self.ws.query(sql).iloc[0].tolist()))


def context() -> Context:
    """The context the entrypoint built for this run (pages call this)."""
    return st.session_state["_ctx"]


def start() -> Context:
    """Run at the top of app.py on every rerun: sign-in, language and the filter bar. The scope
    follows in `open_page`, once the navigation knows the page."""
    ws = open_workspace()
    if DEMO_ON_START and ensure_demo(ws):
        st.toast(tr("app.demo_created"))
    st.html(STYLES)
    box = stores()
    with st.sidebar:
        language_switch(box)
    user = auth.gate(ws, lang())  # no figure, filter value or page before sign-in
    with st.sidebar:
        auth.account(ws, user, lang())
        filters, notes = filter_bar(ws, user.rows, box)
    serve.background(ws)  # handed-off CLI commands and the due report schedules, while the app serves
    return Context(ws, lang(), filters, None, user, tuple(notes), box)


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
        if style := _period_in_inputs(ctx, start, end):
            st.html(style)
    else:
        caption = ctx.t("app.period.none")
    st.caption(f"{caption} · {ctx.t('app.version', version=md(ctx.scope.snap.version))}")


def _period_in_inputs(ctx: Context, start: dt.date, end: dt.date) -> str:
    """The period in force written into the empty From/To boxes of the filter bar (a default
    period is not a chosen one, so the boxes stay empty and the URL without dates; this draws
    the dates over them until the user types or picks one); "" when both are chosen."""
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
    return f"<style>{''.join(rules)}</style>" if rules else ""


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
