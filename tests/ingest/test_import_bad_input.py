"""Bad input gets a clear message naming the file, column and rows, and nothing loaded changes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from insight import settings
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.ingest.importer import import_file
from tests.conftest import ROOT

GOOD = "order_id,order_date,amount\nG1,2024-01-01,10\nG2,2024-01-02,20\n"


@pytest.fixture
def loaded(ws, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    import_file(ws, path, "orders")
    return ws


def unchanged(ws) -> None:
    assert ws.query("SELECT order_id FROM orders ORDER BY 1")["order_id"].tolist() == ["G1", "G2"]
    assert ws.version() == 1


def refused(ws, path, **kw) -> InsightError:
    with pytest.raises(InsightError) as info:
        import_file(ws, path, "orders", **kw)
    unchanged(ws)
    assert info.value.file == path.name
    return info.value


def test_binary_file_renamed_csv(loaded, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 40)
    assert "binary" in str(refused(loaded, path))


def test_xlsx_renamed_csv_says_what_it_is(loaded, tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    err = refused(loaded, path)
    assert "Excel" in str(err) and ".xlsx" in str(err.hint)


def test_empty_file(loaded, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in str(refused(loaded, path))


def test_header_only(loaded, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("order_id,order_date,amount\n")
    assert "no data rows" in str(refused(loaded, path))


def test_unsupported_extension(loaded, tmp_path):
    path = tmp_path / "orders.pdf"
    path.write_text("whatever")
    err = refused(loaded, path)
    assert ".pdf" in str(err) and ".csv" in str(err.hint)


def test_mapping_that_leaves_a_required_column_empty(loaded, tmp_path):
    path = tmp_path / "again.csv"
    path.write_text(GOOD)
    err = refused(loaded, path, overrides={"order_date": None})
    assert err.column == "order_date" and "not mapped" in str(err)


def test_column_in_which_no_date_can_be_read(loaded, tmp_path):
    path = tmp_path / "nodates.csv"
    path.write_text("order_id,order_date,amount\nN1,soon,1\nN2,later,2\n")
    err = refused(loaded, path)
    assert err.column == "order_date" and "no date can be read" in str(err) and "'later'" in str(err)


def test_file_over_the_size_limit(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "MAX_UPLOAD_MB", 1)
    path = tmp_path / "big.csv"
    path.write_text(GOOD + "X,2024-01-01,1\n" * 120_000)
    err = refused(loaded, path)
    assert "over the 1 MB limit" in str(err)


def test_every_row_rejected_loads_nothing(loaded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("order_id,order_date,amount\nB1,2024-01-01,abc\nB2,2024-01-02,xyz\n")
    err = refused(loaded, path)
    assert "row 1, column 'amount', value 'abc'" in str(err)


def test_same_file_twice_in_append_mode_reports_duplicates(loaded, tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("order_id,order_date,amount\nG2,2024-01-02,20\nG3,2024-01-03,30\n")
    first = import_file(loaded, path, "orders", mode="append")
    assert first.duplicates_existing == 1 and first.rows_loaded == 1
    second = import_file(loaded, path, "orders", mode="append")
    assert second.duplicates_existing == 2 and second.rows_loaded == 0
    assert any("already in orders" in str(w) for w in second.warnings)
    assert loaded.query("SELECT order_id FROM orders ORDER BY 1")["order_id"].tolist() == ["G1", "G2", "G3"]
    kept = import_file(loaded, path, "orders", mode="append", keep_duplicates=True)
    assert kept.rows_loaded == 2
    assert loaded.scalar("SELECT count(*) FROM orders") == 5


def test_a_killed_import_leaves_the_previous_data(tmp_path):
    """Kill the importing process at several moments: the table is always old or new, never half."""
    ws_path = tmp_path / "kill.duckdb"
    small = tmp_path / "small.csv"
    small.write_text(GOOD)
    big = tmp_path / "big.csv"
    with big.open("w") as fh:
        fh.write("order_id,order_date,amount\n")
        for i in range(400_000):
            fh.write(f"K{i},2024-01-{1 + i % 28:02d},{i % 97}.5\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "insight", "--workspace", str(ws_path), "import"]
    subprocess.run([*cli, str(small), "--as", "orders"], check=True, env=env, capture_output=True)
    seen = set()
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen(
            [*cli, str(big), "--as", "orders"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        proc.kill()
        proc.wait()
        w = Workspace(ws_path)
        try:
            n = w.scalar("SELECT count(*) FROM orders")
            assert n in (2, 400_000), n
            assert w.scalar("SELECT rows FROM _imports ORDER BY version DESC LIMIT 1") == n
            seen.add(n)
        finally:
            w.close()
    assert 2 in seen  # at least one kill landed before the commit
