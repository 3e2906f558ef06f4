"""An append of orders publishes what a full import of the table's rows followed by the file's would:
the same rows in the same stored order (orders at one time by order id where ids are unique across
both, else the table's rows first, then the file's), the same fact and derived tables, the same
rejects. Cases come from a generator: appends later than, among and before the table's orders, new
and known customers, shared timestamps, new channels and statuses, guest orders, order ids unique
or repeated (within the file, or the table's), bad rows, one-row files. A file none of whose rows
load publishes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.ingest.importer import import_file
from tests.db.test_orders_fact import generated
from tests.ingest.test_import_direct import stored_tables

CASES = 16


def _customers(path) -> None:
    """Customers K00..K19 with a segment, most with a region (the fact joins both in)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": [f"K{i:02d}" for i in range(20)],
            "segment": rng.choice(["Consumer", "SMB", "Enterprise"], 20),
            "region": rng.choice(["East", "West", "North", None], 20),
        }
    )
    frame.to_csv(path, index=False)


def _case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The table's file and the appended one, and what the case is made of (for the failure's message)."""
    rng = np.random.default_rng(seed)
    table = generated(seed=100 + seed, n=int(rng.integers(40, 300)), order="time", lines=bool(seed % 5 == 4))
    table = table.sort_values(["order_date", "order_id"], kind="stable").reset_index(drop=True)
    when = ["later", "among", "earlier"][seed % 3]
    n = 1 if seed % 7 == 6 else int(rng.integers(5, 120))
    order = ["time", "shuffled", "reversed"][seed % 4 % 3]
    appended = generated(seed=200 + seed, n=n, order=order, lines=seed % 4 == 1)
    shift = {"later": pd.Timedelta(days=120), "among": pd.Timedelta(0), "earlier": pd.Timedelta(days=-120)}[when]
    appended["order_date"] = pd.to_datetime(appended["order_date"]) + shift
    if when == "among":  # some at the very times of the table's orders
        shared = rng.random(n) < 0.5
        appended.loc[shared, "order_date"] = rng.choice(pd.to_datetime(table["order_date"]), int(shared.sum()))
    new_customers = rng.random(n) < 0.3
    appended.loc[new_customers, "customer_id"] = [f"K{i:02d}" for i in rng.integers(20, 40, int(new_customers.sum()))]
    if seed % 2:  # a channel and a status the table has not seen
        appended.loc[rng.random(n) < 0.3, "channel"] = "Partner"
        appended.loc[rng.random(n) < 0.2, "status"] = "refunded"
    repeated = seed % 6 == 3
    if repeated:  # an order id the table has already
        appended.loc[0, "order_id"] = table["order_id"].iloc[int(rng.integers(0, len(table)))]
    bad = seed % 4 == 2 and n > 1
    appended = appended.astype({"amount": object, "order_date": object})
    if bad:
        appended.loc[rng.random(n) < 0.2, "amount"] = "12abc"
        appended.loc[n - 1, "order_date"] = "not a date"
    about = {"when": when, "rows": n, "repeated id": repeated, "bad rows": bad, "table rows": len(table)}
    return table, appended, about


def _imported(tmp_path, name: str, files: list[tuple[str, str]]) -> tuple[Workspace, object]:
    ws = Workspace(tmp_path / f"{name}.duckdb")
    import_file(ws, tmp_path / "customers.csv", "customers")
    result = None
    for file, mode in files:
        result = import_file(ws, tmp_path / file, "orders", mode=mode)
    return ws, result


@pytest.mark.parametrize("seed", range(CASES))
def test_an_append_publishes_what_a_full_import_of_both_files_does(tmp_path, seed):
    table, appended, about = _case(seed)
    _customers(tmp_path / "customers.csv")
    table.to_csv(tmp_path / "table.csv", index=False)
    appended.to_csv(tmp_path / "appended.csv", index=False)
    pd.concat([table, appended]).to_csv(tmp_path / "both.csv", index=False)
    ours, ours_result = _imported(tmp_path, "append", [("table.csv", "replace"), ("appended.csv", "append")])
    full, full_result = _imported(tmp_path, "full", [("both.csv", "replace")])
    try:
        got, want = stored_tables(ours), stored_tables(full)
        assert got.keys() == want.keys()
        for name, frame in got.items():
            pd.testing.assert_frame_equal(frame, want[name], obj=f"{name} {about}")
        assert ours_result.rows_loaded == len(got["orders"]) - len(table)
        assert ours_result.rows_rejected == full_result.rows_rejected == len(ours_result.rejects)
        shifted = full_result.rejects.assign(row=full_result.rejects["row"] - len(table))
        pd.testing.assert_frame_equal(ours_result.rejects, shifted)
    finally:
        ours.close()
        full.close()


def test_an_append_none_of_whose_rows_load_publishes_nothing(tmp_path):
    """All or nothing: the version, its fact and the derived tables stay as they were."""
    table, appended, _ = _case(1)
    _customers(tmp_path / "customers.csv")
    table.to_csv(tmp_path / "table.csv", index=False)
    appended.assign(amount="12abc").to_csv(tmp_path / "appended.csv", index=False)
    ws, _ = _imported(tmp_path, "append", [("table.csv", "replace")])
    try:
        before, version = stored_tables(ws), ws.version()
        with pytest.raises(InsightError):
            import_file(ws, tmp_path / "appended.csv", "orders", mode="append")
        assert ws.version() == version
        after = stored_tables(ws)
        for name, frame in before.items():
            pd.testing.assert_frame_equal(after[name], frame, obj=name)
    finally:
        ws.close()
