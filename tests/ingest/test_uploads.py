"""Uploads are private and temporary, and the repository carries everything its tests read."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from insight import settings
from insight.ingest import uploads
from tests.conftest import ROOT


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_uploads_wait_in_a_private_folder_beside_the_workspace(tmp_path):
    workspace = tmp_path / "data" / "workspace.duckdb"
    workspace.parent.mkdir()
    old = os.umask(0o022)  # a permissive umask: the modes must not depend on it
    try:
        saved = uploads.save(workspace, "客户名单.csv", b"customer_id\nC1\n")
    finally:
        os.umask(old)
    assert saved.parent == tmp_path / "data" / settings.UPLOAD_FOLDER
    assert mode(saved.parent) == 0o700 and mode(saved) == 0o600
    assert saved.read_bytes() == b"customer_id\nC1\n" and saved.suffix == ".csv"
    assert uploads.save(workspace, "again.csv", b"customer_id\nC1\n") == saved  # same content, same file
    uploads.discard(saved)
    assert not saved.exists()
    uploads.discard(saved)  # twice is fine (a cancel after the import)


def test_uploads_left_behind_are_swept(tmp_path):
    workspace = tmp_path / "ws.duckdb"
    old = uploads.save(workspace, "old.csv", b"a\n1\n")
    hours = settings.UPLOAD_MAX_AGE_HOURS + 1
    os.utime(old, (time.time() - hours * 3600,) * 2)
    fresh = uploads.save(workspace, "new.csv", b"a\n2\n")  # saving sweeps
    assert not old.exists() and fresh.exists()


def test_no_test_or_ci_file_reads_outside_the_repository():
    """A fresh clone runs `make test` on its own: test data lives in tests/data."""
    outside = re.compile(r"\.\./shared|/work/shared|shared/data")
    files = [*(ROOT / "tests").rglob("*.py"), ROOT / "Makefile", *(ROOT / ".ci").iterdir(), ROOT / "pyproject.toml"]
    me = Path(__file__).resolve()
    offenders = [f.name for f in files if f != me and outside.search(f.read_text())]
    assert offenders == []
    for folder in ("online_retail", "telco_churn", "support_tickets"):
        assert (ROOT / "tests" / "data" / folder / "SOURCE.md").exists()
