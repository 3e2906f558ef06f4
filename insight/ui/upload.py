"""Upload plumbing for the Data page: uploaded bytes to a temp file, cached preview and dry run."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from insight import importer
from insight.workspace import open_workspace

_UPLOADS = Path(tempfile.gettempdir()) / "insight-uploads"


def save_upload(uploaded) -> Path:
    """The upload as a file on disk, named by its content hash so reruns reuse it."""
    data = uploaded.getvalue()
    digest = hashlib.sha1(data).hexdigest()[:16]
    _UPLOADS.mkdir(parents=True, exist_ok=True)
    path = _UPLOADS / f"{digest}{Path(uploaded.name).suffix.lower()}"
    if not path.exists():
        path.write_bytes(data)
    return path


@st.cache_data(show_spinner=False, max_entries=16)
def preview(ws_path: str, path: str, name: str, table: str, sheet: str | None, wide: tuple = ()) -> importer.Preview:
    return importer.preview(
        open_workspace(ws_path), path, table, display_name=name, sheet=sheet, wide_columns=list(wide) or None
    )


@st.cache_data(show_spinner=False, max_entries=16)
def dry_run(
    ws_path: str,
    version: int,
    path: str,
    name: str,
    table: str,
    sheet: str | None,
    mapping: tuple,
    mode: str,
    wide: tuple = (),
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
        wide_columns=list(wide) or None,
    )
