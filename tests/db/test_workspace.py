"""Versions, pinning, listing, deletion and the one door's guardrails."""

from __future__ import annotations

import pytest

from insight.errors import InsightError
from insight.ingest.importer import import_file


def write(path, rows):
    path.write_text("order_id,order_date,amount\n" + "".join(f"{r},2024-01-01,1\n" for r in rows))
    return path


def test_versions_pin_list_and_delete(ws, tmp_path):
    v1 = import_file(ws, write(tmp_path / "a.csv", ["A"]), "orders").version
    v2 = import_file(ws, write(tmp_path / "b.csv", ["B", "C"]), "orders", mode="append").version
    assert (v1, v2) == (1, 2)
    assert ws.scalar(f"SELECT count(*) FROM {ws.snapshot(v1)['orders']}") == 1
    assert ws.scalar(f"SELECT count(*) FROM {ws.snapshot(v2)['orders']}") == 3
    listed = ws.datasets()
    assert listed.to_dict("records")[0] | {"imported_at": None} == {
        "table": "orders",
        "rows": 3,
        "version": 2,
        "imported_at": None,
        "source_file": "b.csv",
        "mode": "append",
    }
    v3 = ws.delete("orders")
    assert ws.datasets().empty and not ws.snapshot().has("orders")
    assert v3 == 3 and ws.snapshot(v3).tables == {}
    # Versions from before the deletion were dropped with the table: the link falls back, with a note.
    old = ws.snapshot(v1)
    assert old.note and "pruned" in str(old.note)


def test_unknown_version_falls_back_with_a_note(ws, tmp_path):
    import_file(ws, write(tmp_path / "a.csv", ["A"]), "orders")
    snap = ws.snapshot(99)
    assert snap.version == 1 and "no such version" in str(snap.note)


def test_the_one_door_caps_rows_and_wraps_errors(ws):
    with pytest.raises(InsightError, match="more than 10 rows"):
        ws.query("SELECT * FROM range(20)", cap=10)
    with pytest.raises(InsightError, match="query failed"):
        ws.query("SELECT * FROM no_such_table")


def test_missing_table_names_what_to_upload(ws):
    with pytest.raises(InsightError) as info:
        ws.snapshot()["tickets"]
    assert "upload a tickets file" in str(info.value.hint)  # a catalog message now, English by default
