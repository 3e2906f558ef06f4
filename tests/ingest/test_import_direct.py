"""An orders file replacing the table, plain text whose first rows load, is typed and published in the
statement that reads it (insight/ingest/direct.py). What it publishes must be what the usual import
publishes for the same file (an append into an empty workspace copies the file and types it apart),
row for row and fact for fact; a bad row, a blank or unreadable line or a repeated order id past the
first rows sends it back to the usual import, with nothing of the attempt left. The rows themselves
are checked against pandas in tests/db/test_orders_fact.py."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import settings
from insight.db import facts
from insight.db.workspace import Workspace
from insight.ingest.importer import import_file
from tests.db.test_orders_fact import generated

DIRECT_STEPS = ["reading", "checking types", "publishing", "building facts", "done"]
USUAL_STEPS = ["reading", "checking types", "checking duplicates", "publishing", "building facts", "done"]
ROWS = settings.GUESS_SAMPLE_ROWS + 5000  # past the first rows the mapping samples


def _file(path, order: str = "time", late: str | None = None, at: int = settings.GUESS_SAMPLE_ROWS + 100):
    """A generated orders export (unique order ids, shared timestamps, guests, refunds), with one
    defect (`late`) at line `at` (past the first rows by default)."""
    frame = generated(seed=5, n=ROWS, order=order, lines=False)
    lines = frame.to_csv(index=False).splitlines()  # order_id,customer_id,order_date,amount,channel,status
    if late in ("bad value", "repeated order id", "blank order id"):
        fields = lines[at].split(",")
        fields[3 if late == "bad value" else 0] = {"bad value": "12abc", "blank order id": ""}.get(
            late, lines[8].split(",")[0]
        )
        lines[at] = ",".join(fields)
    elif late == "blank line":
        lines.insert(at, ",,,,,")
    elif late == "surplus field":
        lines[at] += ",surplus"
    elif late == "short line":
        lines.append("Z1,K01,2025-03-02")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _imported(tmp_path, path, name: str, mode: str):
    ws = Workspace(tmp_path / f"{name}.duckdb")
    steps = []
    result = import_file(ws, path, "orders", mode=mode, progress=lambda f, step: steps.append(step))
    return ws, result, steps


def stored_tables(ws: Workspace) -> dict[str, pd.DataFrame]:
    """The orders version and its fact, rows in their stored order (by time, ties by order id), and
    every other fact built on it, rows sorted (a grouping's output has no order of its own); columns
    by name."""
    snap = ws.snapshot()
    out = {"orders": ws.query(f'SELECT * FROM "{snap.tables["orders"]}" ORDER BY rowid', cap=10**7)}
    for table in (*facts.DERIVED, "orders"):
        name = facts.fact_name(snap, table)
        order = "rowid" if table == "orders" else "ALL"
        out[name.split("_v")[0]] = ws.query(f'SELECT * FROM "{name}" ORDER BY {order}', cap=10**7)
    return {name: frame[sorted(frame.columns)] for name, frame in out.items()}


def _same(direct: Workspace, usual: Workspace, d_result, u_result) -> None:
    ours, theirs = stored_tables(direct), stored_tables(usual)
    assert ours.keys() == theirs.keys()
    for name, frame in ours.items():
        pd.testing.assert_frame_equal(frame, theirs[name], obj=name)
    d, u = d_result.to_dict(), u_result.to_dict()
    for key in set(d) - {"version"}:
        assert d[key] == u[key], key
    pd.testing.assert_frame_equal(d_result.rejects, u_result.rejects)


@pytest.mark.parametrize("order", ["time", "shuffled"])
def test_a_clean_file_published_directly_equals_the_usual_import(tmp_path, order):
    path = tmp_path / "orders.csv"
    _file(path, order)
    direct, d_result, d_steps = _imported(tmp_path, path, "direct", "replace")
    usual, u_result, u_steps = _imported(tmp_path, path, "usual", "append")
    try:
        assert d_steps == DIRECT_STEPS and u_steps == USUAL_STEPS
        _same(direct, usual, d_result, u_result)
        # Written in time order, orders at the same time by order id: the same rows every time.
        frame = generated(seed=5, n=ROWS, order=order, lines=False)
        want = frame.sort_values(["order_date", "order_id"])["order_id"].tolist()
        assert stored_tables(direct)["orders"]["order_id"].tolist() == want
        assert direct.history()["version"].tolist() == [1]
    finally:
        direct.close()
        usual.close()


@pytest.mark.parametrize("late", ["bad value", "blank line", "surplus field", "short line", "repeated order id"])
def test_a_defect_past_the_first_rows_sends_the_file_to_the_usual_import(tmp_path, late):
    path = tmp_path / "orders.csv"
    _file(path, late=late)
    direct, d_result, d_steps = _imported(tmp_path, path, "direct", "replace")
    usual, u_result, u_steps = _imported(tmp_path, path, "usual", "append")
    try:
        # The attempt published, found the defect and rolled back: one version, the usual one's rows.
        assert d_steps == ["reading", "checking types", "publishing", *USUAL_STEPS[2:]]
        assert direct.history()["version"].tolist() == [1]
        _same(direct, usual, d_result, u_result)
        if late == "repeated order id":
            assert d_result.rows_rejected == 0 and d_result.rows_loaded == ROWS
        else:
            assert d_result.rows_rejected + d_result.read["blank_rows"] == 1
            assert d_result.rows_loaded == ROWS - (late in ("bad value", "surplus field"))
    finally:
        direct.close()
        usual.close()


@pytest.mark.parametrize("late", ["bad value", "blank order id", "repeated order id"])
def test_a_defect_in_the_first_rows_takes_the_usual_import_at_once(tmp_path, late):
    path = tmp_path / "orders.csv"
    _file(path, late=late, at=50)
    direct, d_result, d_steps = _imported(tmp_path, path, "direct", "replace")
    usual, u_result, _ = _imported(tmp_path, path, "usual", "append")
    try:
        assert d_steps == USUAL_STEPS  # no attempt published first
        _same(direct, usual, d_result, u_result)
    finally:
        direct.close()
        usual.close()
