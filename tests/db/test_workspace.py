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


def test_constant_per_customer_matches_pandas(ws):
    """Whether a column keeps one value (NULL counting as one) over each customer's counted
    orders, on generated columns: constant, varying, NULL for some customers, NULL mixed in,
    and varying only on orders that do not count."""
    import numpy as np
    import pandas as pd

    from insight.db import facts

    rng = np.random.default_rng(7)
    n = 3000
    cust = rng.integers(0, 300, n)
    status = np.where(rng.random(n) < 0.1, "cancelled", "completed")
    base = np.array(["a", "b", "c", "d"], dtype=object)[cust % 4]
    columns = {
        "region": base,  # constant
        "channel": np.array(["x", "y", "z"], dtype=object)[rng.integers(0, 3, n)],  # varies
        "segment": np.where(cust % 5 == 0, None, base),  # NULL for whole customers
        "category": np.where((cust == 17) & (np.arange(n) % 2 == 0), None, base),  # NULL mixed in once
        "product": np.where(status == "cancelled", "other", base),  # varies only where not counted
    }
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(n)],
            "customer_id": [f"c{c}" for c in cust],
            "order_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "amount": 10.0,
            "status": status,
            **columns,
        }
    )
    ws.publish_frames({"orders": orders}, source_file="test")
    fact = facts.built(ws, ws.snapshot(), "orders")
    counted = orders[orders["status"] != "cancelled"]
    for column in columns:
        expected = bool((counted.groupby("customer_id")[column].nunique(dropna=False) <= 1).all())
        assert facts.constant_per_customer(ws, fact, column) is expected, column
    assert [facts.constant_per_customer(ws, fact, c) for c in columns] == [True, False, True, False, True]


def test_remembered_values_survive_audit_lines_and_not_other_writes(ws):
    """What a run reads once per write (the version, the notes' revision) is read again after a
    write, but not after an audit line (every sign-in writes one; nothing remembered reads it)."""
    from insight.auth import audit

    reads = []

    def read():
        reads.append(1)
        return ws.scalar("SELECT count(*) FROM _audit")

    first = ws.remembered("test", read)
    audit.record(ws, "owner", "signin", "test", "test")
    assert ws.remembered("test", read) == first and len(reads) == 1
    with ws.writer() as cur:
        cur.execute("CREATE TABLE _other AS SELECT 1 AS x")
    assert ws.remembered("test", read) == first + 1 and len(reads) == 2
