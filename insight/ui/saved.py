"""Saving the view on screen, and the dated notes drawn on the time charts: the page header's
"Save view" and "Notes" controls (analysts and up), and the marks every time chart draws."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from insight.cache import memo
from insight.domain import annotations
from insight.escape import md
from insight.reports import saved
from insight.reports.figures import REPORT_PAGES
from insight.ui.filterbar import load_view
from insight.ui.shell import Context, guard, tr
from insight.ui.urlstate import link_params


def view_link(ctx: Context, page: str) -> str:
    """The current page and its whole state (filters and options, parsed), as a link."""
    return f"{page}?{urlencode(link_params(ctx.filters, ctx.scope.snap.version), doseq=True)}"


def save_view(ctx: Context, page: str) -> None:
    """A popover that saves the view on screen under a name."""
    if not ctx.can("save_views"):
        return
    with st.popover(tr("saved.save"), icon=":material/bookmark_add:", key="save_view_open", on_change="rerun") as box:
        if not box.open:  # drawn once opened: every page's header has it
            return
        name = st.text_input(tr("saved.name"), key="save_view_name", max_chars=saved.MAX_NAME)
        shared = st.toggle(tr("saved.shared"), key="save_view_shared", help=tr("saved.shared.help"))
        label = tr("saved.pinned", version=int(ctx.scope.snap.version))
        pinned = st.toggle(label, key="save_view_pinned", help=tr("saved.pinned.help"))
        if st.button(tr("saved.save.button"), type="primary", key="save_view_go"):
            made = guard(
                saved.save,
                ctx.ws,
                ctx.user,
                name,
                view_link(ctx, page),
                shared=shared,
                pinned=pinned,
                version=ctx.scope.snap.version,
            )
            if made is not None:
                st.success(tr("saved.saved", name=md(made.name)), icon=":material/bookmark_added:")


def notes_control(ctx: Context) -> None:
    """A popover to add a dated note, listing the notes of the period (each removable by its
    author or an administrator)."""
    if not ctx.can("save_views"):
        return
    with st.popover(tr("notes.title"), icon=":material/sticky_note_2:", key="notes_open", on_change="rerun") as box:
        if not box.open:  # drawn (and the notes listed) once opened
            return
        default = ctx.scope.period[1] if ctx.scope.period else dt.date.today()
        a, b = st.columns(2)
        day = a.date_input(tr("notes.day"), value=default, key="note_day")
        end = b.date_input(tr("notes.end"), value=None, key="note_end", help=tr("notes.end.help"))
        text = st.text_input(tr("notes.text"), key="note_text", max_chars=annotations.MAX_TEXT)
        if st.button(tr("notes.add"), type="primary", key="note_add") and day:
            if guard(annotations.add, ctx.ws, ctx.user, day, text, end) is not None:
                st.success(tr("notes.added"), icon=":material/check:")
        listed = _notes(str(ctx.ws.path), ctx.marks_revision, ctx.ws)
        if len(listed) and ctx.scope.period:
            start, stop = (pd.Timestamp(d) for d in ctx.scope.period)
            ends = listed["end_day"].fillna(listed["day"])
            listed = listed[(listed["day"] <= stop) & (ends >= start)]
        for note in listed.to_dict("records"):
            end = note["end_day"]
            when = f"{note['day']:%Y-%m-%d}" + (f" – {end:%Y-%m-%d}" if pd.notna(end) else "")
            st.caption(tr("notes.item", day=md(when), text=md(note["text"]), author=md(note["author"])))
            if note["author"] == ctx.user.name or ctx.can("settings"):
                st.button(
                    tr("notes.remove"),
                    key=f"note_remove_{note['id']}",
                    on_click=_remove_note,
                    args=(ctx, int(note["id"])),
                    icon=":material/delete:",
                )


def _remove_note(ctx: Context, note_id: int) -> None:
    guard(annotations.remove, ctx.ws, ctx.user, note_id)


@memo(16, key=lambda path, revision, ws: (path, revision))
def _notes(path: str, revision: tuple, ws) -> pd.DataFrame:
    return annotations.notes(ws)


@memo(64, key=lambda path, version, rows, campaigns, revision, scope: (path, version, rows, campaigns, revision))
def _marks(path: str, version: int, rows: str, campaigns: tuple, revision: tuple, scope) -> list[annotations.Mark]:
    return annotations.marks(scope)


def chart_marks(ctx: Context) -> list[annotations.Mark]:
    """The notes and campaign periods the time charts of this view draw (cached per data
    version, row scope, campaign filter and the notes' revision)."""
    key = (str(ctx.ws.path), ctx.scope.snap.version, ctx.scope.rows.key, ctx.filters.values("campaign"))
    return _marks(*key, ctx.marks_revision, ctx.scope)


# --- the Saved views page ---------------------------------------------------------------------


def view_card(ctx: Context, view: saved.SavedView) -> None:
    """One saved view: what it shows, Open, a PDF of it as you see it, and Delete (its owner)."""
    from insight.semantic.filters import Filters

    filters, _ = Filters.from_query(view.query)
    shown = "; ".join(f"{k}={', '.join(v)}" for k, v in filters.to_params().items()) or tr("saved.no_filters")
    data = tr("saved.version", version=int(view.version)) if view.version is not None else tr("saved.latest")
    kind = tr("saved.kind.shared") if view.shared else tr("saved.kind.personal")
    with st.container(border=True):
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.markdown(f"**{md(view.name)}** · {tr(f'page.{view.page}')}")
        left.caption(tr("saved.meta", owner=md(view.owner), kind=kind, data=data, filters=md(shown)))
        with right, st.container(horizontal=True, horizontal_alignment="right"):
            st.button(
                tr("saved.open"),
                key=f"open_{view.ref}",
                on_click=load_view,
                args=(view.page, view.params()),
                icon=":material/open_in_new:",
                type="primary",
            )
            if view.page in REPORT_PAGES:
                st.download_button(
                    tr("saved.pdf"),
                    data=lambda: _pdf(ctx, view),
                    file_name=f"{view.page}-{view.version or 'latest'}.pdf",
                    mime="application/pdf",
                    key=f"pdf_{view.ref}",
                    icon=":material/picture_as_pdf:",
                    on_click="ignore",
                )
            if view.owner == ctx.user.name or (view.shared and ctx.can("settings")):
                st.button(
                    tr("saved.remove"),
                    key=f"remove_{view.ref}",
                    on_click=_remove_view,
                    args=(ctx, view.ref),
                    icon=":material/delete:",
                )


def _pdf(ctx: Context, view: saved.SavedView) -> bytes:
    from insight.reports import document, printer

    report = document.build(ctx.ws, view.link(), ctx.user, ctx.lang, view.name)
    return printer.render(report.html(), "pdf")


def _remove_view(ctx: Context, ref: str) -> None:
    guard(saved.remove, ctx.ws, ctx.user, ref)
