"""The upload wizard of the Data page: choose, preview, (unpivot,) map, validate, import.

Uploads are saved privately in the workspace's upload folder (`insight/ingest/uploads.py`) and deleted
after the import or when the upload is cancelled. Every note, choice and error comes from the
core as a catalog message and is shown in the user's language.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from insight import i18n, settings
from insight.auth import audit
from insight.db.schema import columns
from insight.db.workspace import open_workspace
from insight.escape import md
from insight.ingest import excel, importer, reader, uploads
from insight.ingest.plan import reject_text
from insight.reports import alert_checks
from insight.ui.auth import origin
from insight.ui.shell import Context, guard
from insight.views import export

_GEN, _SAVED = "upload_gen", "upload_saved"


def _uploader_text(ctx: Context) -> str:
    """Streamlit's uploader writes its button and limits in English only: this labels them in the
    page's language (catalog text, quoted as CSS strings), over the built-in text."""
    kinds = ", ".join(e.lstrip(".").upper() for e in reader.SUPPORTED)
    button = json.dumps(ctx.t("data.upload.button"), ensure_ascii=False)
    limits = json.dumps(ctx.t("data.upload.limits", mb=settings.MAX_UPLOAD_MB, kinds=kinds), ensure_ascii=False)
    zone = "[data-testid=stFileUploaderDropzone]"
    return (
        f"<style>{zone} button p{{font-size:0}}"
        f"{zone} button p::after{{content:{button};font-size:0.875rem}}"
        f"[data-testid=stFileUploaderDropzoneInstructions] span{{font-size:0}}"
        f"[data-testid=stFileUploaderDropzoneInstructions] span::after{{content:{limits};font-size:0.875rem}}</style>"
    )


def chooser(ctx: Context, table_key: str = "upload_table"):
    """The file uploader and table choice; a removed file is a cancelled upload (deleted)."""
    left, right = st.columns([3, 1])
    st.html(_uploader_text(ctx))
    file = left.file_uploader(
        ctx.t("data.upload"),
        type=[e.lstrip(".") for e in reader.SUPPORTED],
        help=ctx.t("data.upload.help"),
        label_visibility="collapsed",
        key=f"upload_{st.session_state.get(_GEN, 0)}",
    )
    table = right.selectbox(
        ctx.t("data.table"), importer.TABLE_NAMES, format_func=lambda n: ctx.t(f"table.{n}"), key=table_key
    )
    if file is None:
        uploads.discard(st.session_state.pop(_SAVED, None))
    return file, table


def wizard(ctx: Context, file, table: str) -> None:
    t = ctx.t
    path = str(uploads.save(ctx.ws.path, file.name, file.getvalue()))
    st.session_state[_SAVED] = path
    ws_path = str(ctx.ws.path)
    sheet = st.session_state.get("upload_sheet")
    first = guard(preview, ws_path, path, file.name, table, sheet)
    if first is None:
        if len(names := excel.sheet_names(Path(path))) > 1:  # another sheet may read
            st.selectbox(t("data.sheet"), names, key="upload_sheet")
        st.button(t("data.cancel"), on_click=_reset, key="upload_cancel")
        return
    wide_columns, overrides = _wide_step(ctx, first, file.name)
    pv = (
        first
        if wide_columns is None
        else guard(preview, ws_path, path, file.name, table, sheet, wide_columns, overrides)
    )
    if pv is None:
        st.button(t("data.cancel"), on_click=_reset, key="upload_cancel")
        return
    p = pv.parsed
    if p.sheets:
        st.selectbox(t("data.sheet"), p.sheets, key="upload_sheet")
    st.subheader(t("data.preview"))
    d = p.describe()
    st.caption(
        t(
            "data.read_as",
            kind=md(d["kind"]),
            encoding=md(d["encoding"] or "—"),
            delimiter=md(repr(d["delimiter"]) if d["delimiter"] else "—"),
            header=md(d["header"]),
            skipped=md(d["skipped_lines"]),
        )
    )
    st.dataframe(pv.rows, height=240, hide_index=True)

    st.subheader(t("data.mapping"))
    st.caption(t("data.mapping.help"))
    if pv.template_used:
        st.success(t("data.template_used"))
    chosen = _mapping_grid(
        ctx, pv, table, p.file, implied=set(overrides) | ({"campaign_id", "responded"} if wide_columns else set())
    )
    overrides = {**chosen, **overrides}
    campaign = None
    if table == "contacts" and not wide_columns and not overrides.get("campaign_id"):
        campaign = (
            st.text_input(t("data.campaign_name"), value=Path(file.name).stem, key=f"campaign_{file.name}") or None
        )

    st.subheader(t("data.validate"))
    mode = st.radio(
        t("data.mode"), importer.MODES, format_func=lambda m: t(f"data.mode.{m}"), horizontal=True, key="upload_mode"
    )
    frozen = tuple(sorted((k, v or None) for k, v in overrides.items()))
    args = (ws_path, path, file.name, table, sheet, frozen, mode, wide_columns, campaign)
    result = guard(dry_run, ctx.ws.version(), *args)
    if result is None:
        st.button(t("data.cancel"), on_click=_reset, key="upload_cancel")
        return
    _report(ctx, result, file.name)
    st.subheader(t("data.import"))
    left, right = st.columns([3, 1])
    right.button(t("data.cancel"), on_click=_reset, key="upload_cancel")
    label = t("data.import.button", rows=f"{result.rows_loaded:,}", table=t(f"table.{table}"))
    if left.button(label, type="primary", key="do_import"):
        bar = st.progress(0.0)
        done = guard(
            importer.import_file,
            ctx.ws,
            path,
            table,
            overrides=dict(frozen),
            mode=mode,
            display_name=file.name,
            sheet=sheet,
            progress=lambda f, step: bar.progress(f, text=t(f"data.step.{step}")),
            wide_columns=list(wide_columns) if wide_columns else None,
            campaign=campaign,
        )
        if done is not None:
            what = f"{file.name} -> {table} ({mode}), {done.rows_loaded:,} rows, version {done.version}"
            audit.record(ctx.ws, ctx.user.name, "import", what, origin())
            st.cache_data.clear()
            checked = guard(alert_checks.after_import, ctx.ws)  # alert rules on the new data
            if checked is not None and (checked.opened or checked.errors):
                st.warning(t("alerts.after_import", opened=len(checked.opened), errors=len(checked.errors)))
            st.success(t("data.imported", rows=f"{done.rows_loaded:,}", table=md(table), version=md(done.version)))
            _reset()  # the file is deleted; the next run starts with an empty uploader


def _wide_step(ctx: Context, pv: importer.Preview, name: str) -> tuple[tuple | None, dict]:
    """A wide response file: unpivot (on by default), its campaign columns and id column."""
    if pv.wide is None:
        return None, {}
    t = ctx.t
    w = pv.wide
    st.info(t("data.wide", count=len(w.campaigns)), icon=":material/pivot_table_chart:")
    if not st.toggle(t("data.wide.use"), value=True, key=f"wide_use_{name}"):
        return None, {}
    chosen = st.multiselect(t("data.wide.columns"), w.campaigns + w.left_out, default=w.campaigns, key=f"wide_{name}")
    if w.left_out:
        st.caption(
            t("data.wide.left_out", columns=", ".join(i18n.text(c, ctx.lang, markdown=True) for c in w.left_out))
        )
    options = [""] + [c for c in pv.parsed.columns if c not in chosen]
    ident = st.selectbox(
        t("data.wide.id"),
        options,
        index=options.index(w.id_column) if w.id_column in options else 0,
        format_func=lambda c: c or t("data.wide.generate"),
        key=f"wide_id_{name}",
    )
    return (tuple(chosen) or None), {"customer_id": ident or ""}


def _mapping_grid(ctx: Context, pv: importer.Preview, table: str, file: str, implied: set[str]) -> dict:
    t, lang = ctx.t, ctx.lang
    choices = [""] + pv.parsed.columns
    guesses, out = pv.proposal.guesses, {}
    grid = st.columns(4)
    shown = [c for c in columns(table) if c.name not in implied]
    for i, col in enumerate(shown):
        guess = pv.mapping.get(col.name, "")
        g = guesses.get(col.name)
        out[col.name] = grid[i % 4].selectbox(
            md(col.name) + (" \\*" if col.required else ""),
            choices,
            index=choices.index(guess) if guess in choices else 0,
            format_func=lambda c: c or t("data.unmapped"),
            help=f"{t(f'map.how.{g.how}')}: {i18n.text(g.evidence, lang, markdown=True)}" if g else None,
            key=f"map_{table}_{file}_{col.name}",
        )
    if implied:
        st.caption(t("data.wide.implied"))
    if guesses:
        with st.expander(t("data.guesses")):
            for name, g in guesses.items():
                st.markdown(
                    t(
                        "data.guess.line",
                        column=md(name),
                        source=i18n.text(g.source, lang, markdown=True),
                        how=t(f"map.how.{g.how}"),
                        evidence=i18n.text(g.evidence, lang, markdown=True),
                    )
                )
    for name, reason in pv.proposal.missing.items():
        if not out.get(name):
            st.warning(t("data.missing", column=md(name), reason=i18n.text(reason, lang, markdown=True)))
    return out


def _report(ctx: Context, result: importer.Result, name: str) -> None:
    t, lang = ctx.t, ctx.lang
    cells = st.columns(4)
    cells[0].metric(t("data.rows_read"), f"{result.rows_read:,}")
    cells[1].metric(t("data.rows_to_load"), f"{result.rows_loaded:,}")
    cells[2].metric(t("data.rows_rejected"), f"{result.rows_rejected:,}")
    cells[3].metric(t("data.duplicates"), f"{result.duplicate_rows + result.duplicates_existing:,}")
    for choice in result.choices:
        st.info(i18n.text(choice, lang, markdown=True), icon=":material/info:")
    notes = [*result.derived, *result.warnings]
    notes += [  # (a low match is among the warnings already)
        i18n.msg("coverage.line", matched=f"{c['matched']:,}", ids=f"{c['ids']:,}", table=c["table"])
        for c in result.coverage
        if c["matched"] >= c["ids"] * settings.COVERAGE_WARN
    ]
    if notes:
        st.info("\n".join(f"- {i18n.text(n, lang, markdown=True)}" for n in notes))
    if result.rows_rejected:
        shown = reject_text(result.rejects, lang)
        st.dataframe(shown.head(100), hide_index=True, height=200)
        st.download_button(
            t("data.rejects_download"), export.csv_bytes(shown), file_name=f"{name}.rejects.csv", mime="text/csv"
        )


def _reset() -> None:
    """Forget the current upload: delete its file and clear the uploader."""
    uploads.discard(st.session_state.pop(_SAVED, None))
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1


@st.cache_data(show_spinner=False, max_entries=16)
def preview(
    ws_path: str,
    path: str,
    name: str,
    table: str,
    sheet: str | None,
    wide: tuple | None = None,
    overrides: dict | None = None,
) -> importer.Preview:
    return importer.preview(
        open_workspace(ws_path),
        path,
        table,
        display_name=name,
        sheet=sheet,
        wide_columns=list(wide) if wide else None,
        overrides=overrides,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def dry_run(
    version: int,
    ws_path: str,
    path: str,
    name: str,
    table: str,
    sheet: str | None,
    mapping: tuple,
    mode: str,
    wide: tuple | None,
    campaign: str | None,
) -> importer.Result:
    return importer.import_file(
        open_workspace(ws_path),
        path,
        table,
        overrides=dict(mapping),
        mode=mode,
        display_name=name,
        sheet=sheet,
        dry_run=True,
        wide_columns=list(wide) if wide else None,
        campaign=campaign,
    )
