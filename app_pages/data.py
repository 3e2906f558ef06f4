"""Data: the upload wizard (choose, preview, map, validate, import) and the dataset list."""

import streamlit as st

from insight.auth import audit
from insight.ingest import importer
from insight.ui import upload, widgets
from insight.ui.auth import origin
from insight.ui.shell import context, show_notes

ctx = context()
ws, t = ctx.ws, ctx.t
st.title(t("data.title"))
show_notes(ctx)

st.subheader(t("data.upload"))
file, table = upload.chooser(ctx)
if file is not None:
    upload.wizard(ctx, file, table)

st.subheader(t("data.datasets"))
datasets = ws.datasets()
if datasets.empty:
    st.info(t("data.none"))
else:
    widgets.table(ctx, datasets, "data.col")
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
        widgets.table(ctx, ws.history(), "data.col")
