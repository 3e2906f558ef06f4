"""Data: the upload wizard (choose, preview, map, validate, import) and the dataset list."""

import streamlit as st

from insight import alert_checks, audit, export, i18n, importer, reader
from insight.escape import md
from insight.schema import TABLE_NAMES, columns
from insight.ui import upload
from insight.ui.auth import origin
from insight.ui.shell import context, guard, show_notes

ctx = context()
ws, t = ctx.ws, ctx.t
st.title(t("data.title"))
show_notes(ctx)

st.subheader(t("data.upload"))
left, right = st.columns([3, 1])
file = left.file_uploader(
    t("data.upload"),
    type=[e.lstrip(".") for e in reader.SUPPORTED],
    help=t("data.upload.help"),
    label_visibility="collapsed",
    key="upload",
)
table = right.selectbox(t("data.table"), TABLE_NAMES, format_func=lambda n: t(f"table.{n}"), key="upload_table")

if file is not None:
    path = str(upload.save_upload(file))
    sheet = st.session_state.get("upload_sheet")
    pv = guard(upload.preview, str(ws.path), path, file.name, table, sheet)
    wide: tuple = ()
    if pv is not None and pv.wide_candidates:  # one response column per campaign: offer to unpivot
        st.info(t("data.wide", count=len(pv.wide_candidates)), icon=":material/pivot_table_chart:")
        wide = tuple(
            st.multiselect(
                t("data.wide.columns"),
                pv.wide_candidates,
                default=pv.wide_candidates,
                key=f"wide_{file.name}",
            )
        )
        if wide:
            pv = guard(upload.preview, str(ws.path), path, file.name, table, sheet, wide)
    if pv is not None:
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
        choices = [""] + p.columns
        mapping = {}
        grid = st.columns(4)
        for i, col in enumerate(columns(table)):
            guess = pv.mapping.get(col.name, "")
            mapping[col.name] = grid[i % 4].selectbox(
                md(col.name) + (" \\*" if col.required else ""),
                choices,
                index=choices.index(guess),
                format_func=lambda c: c or t("data.unmapped"),
                key=f"map_{table}_{p.file}_{col.name}",
            )

        st.subheader(t("data.validate"))
        mode = st.radio(
            t("data.mode"),
            importer.MODES,
            format_func=lambda m: t(f"data.mode.{m}"),
            horizontal=True,
            key="upload_mode",
        )
        frozen = tuple(sorted((k, v or None) for k, v in mapping.items()))
        result = guard(upload.dry_run, str(ws.path), ws.version(), path, file.name, table, sheet, frozen, mode, wide)
        if result is not None:
            c = st.columns(4)
            c[0].metric(t("data.rows_read"), f"{result.rows_read:,}")
            c[1].metric(t("data.rows_to_load"), f"{result.rows_loaded:,}")
            c[2].metric(t("data.rows_rejected"), f"{result.rows_rejected:,}")
            c[3].metric(t("data.duplicates"), f"{result.duplicate_rows + result.duplicates_existing:,}")
            if result.warnings or result.derived:
                st.info(
                    "\n".join(f"- {i18n.text(w, ctx.lang, markdown=True)}" for w in result.derived + result.warnings)
                )
            if result.rows_rejected:
                st.dataframe(result.rejects.head(100), hide_index=True, height=200)
                st.download_button(
                    t("data.rejects_download"),
                    export.csv_bytes(result.rejects),
                    file_name=f"{file.name}.rejects.csv",
                    mime="text/csv",
                )

            st.subheader(t("data.import"))
            if st.button(
                t("data.import.button", rows=f"{result.rows_loaded:,}", table=t(f"table.{table}")),
                type="primary",
                key="do_import",
            ):
                bar = st.progress(0.0)
                done = guard(
                    importer.import_file,
                    ws,
                    path,
                    table,
                    overrides=dict(frozen),
                    mode=mode,
                    display_name=file.name,
                    sheet=sheet,
                    progress=lambda f, step: bar.progress(f, text=t(f"data.step.{step}")),
                    wide_columns=list(wide) or None,
                )
                if done is not None:
                    what = f"{file.name} -> {table} ({mode}), {done.rows_loaded:,} rows, version {done.version}"
                    audit.record(ws, ctx.user.name, "import", what, origin())
                    st.cache_data.clear()
                    checked = guard(alert_checks.after_import, ws)  # alert rules on the new data
                    if checked is not None and (checked.opened or checked.errors):
                        st.warning(t("alerts.after_import", opened=len(checked.opened), errors=len(checked.errors)))
                    st.success(
                        t("data.imported", rows=f"{done.rows_loaded:,}", table=md(table), version=md(done.version))
                    )

st.subheader(t("data.datasets"))
datasets = ws.datasets()
if datasets.empty:
    st.info(t("data.none"))
else:
    shown = datasets.assign(
        rows=datasets["rows"].map("{:,}".format), imported_at=datasets["imported_at"].dt.strftime("%Y-%m-%d %H:%M")
    )
    shown = shown.map(lambda v: md(v) if isinstance(v, str) else v)  # st.table renders Markdown
    st.table(shown.rename(columns=lambda c: t(f"data.col.{c}")).set_index(t("data.col.table")))
    if ctx.can("delete"):
        with st.expander(t("data.delete")):
            victim = st.selectbox(t("data.col.table"), datasets["table"].tolist(), key="delete_table")
            typed = st.text_input(t("data.delete.confirm"), key="delete_confirm")
            if st.button(t("data.delete.button"), disabled=typed != victim, key="do_delete"):
                version = importer.delete(ws, victim)
                audit.record(ws, ctx.user.name, "delete", f"{victim} (version {version})", origin())
                st.cache_data.clear()
                st.rerun()
    with st.expander(t("data.history")):
        st.dataframe(ws.history(), hide_index=True)
