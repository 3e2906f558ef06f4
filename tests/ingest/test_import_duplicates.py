"""Exact duplicate rows of a file, counted among the rows that load, against pandas on generated
files: ids unique, repeated (orders of several lines) or missing; duplicates among rejected rows
(not counted); rows that differ only in an id's spelling (12 and 12.0: the same id, not the same
row) or in blanks; orders, tickets and contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.db.workspace import Workspace
from insight.ingest.importer import import_file


def orders_file(seed: int, ids: str, rejects: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    frame = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(n)],
            "customer_id": [f"C{i}" for i in rng.integers(0, 30, n)],
            "order_date": [
                f"2025-0{m}-1{d} 10:00" for m, d in zip(rng.integers(1, 9, n), rng.integers(0, 9, n), strict=True)
            ],
            "amount": [f"{a:.2f}" for a in rng.uniform(1, 100, n)],
            "channel": rng.choice(["App", "Store", "Web"], n),
        }
    )
    if ids == "lines":  # orders of several lines: ids repeat
        frame["order_id"] = [str(i // 3) for i in range(n)]
    copies = frame.sample(40, random_state=seed)  # exact copies of 40 rows
    spelled = frame.sample(10, random_state=seed + 1).assign(order_id=lambda f: f["order_id"] + ".0")
    spaced = frame.sample(10, random_state=seed + 2).assign(channel=lambda f: f["channel"] + " ")
    frame = pd.concat([frame, copies, copies.head(5), spelled, spaced], ignore_index=True)
    if rejects:  # unreadable amounts, some of them on copies of each other: rejected, not counted
        bad = frame.sample(30, random_state=seed + 3).assign(amount="n/a")
        frame = pd.concat([frame, bad, bad.head(8)], ignore_index=True)
    if ids == "none":
        frame = frame.drop(columns=["order_id"])
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


def expected_duplicates(frame: pd.DataFrame) -> int:
    """Rows that load (a readable amount) repeating an earlier loaded row's text exactly."""
    loaded = frame[frame["amount"] != "n/a"] if "amount" in frame else frame
    return int(loaded.duplicated().sum())


@pytest.mark.parametrize("ids", ["unique", "lines", "none"])
@pytest.mark.parametrize("rejects", [False, True], ids=["all load", "some rejected"])
def test_duplicate_rows_of_an_orders_file_match_pandas(tmp_path, ids, rejects):
    frame = orders_file(seed=7 + len(ids), ids=ids, rejects=rejects)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    result = import_file(ws, tmp_path / "orders.csv", "orders")
    assert result.rows_rejected == (38 if rejects else 0)
    assert result.duplicate_rows == expected_duplicates(frame)
    assert result.duplicate_rows > 0
    # The published orders keep every loaded row, duplicates included, and their order ids.
    assert ws.scalar("SELECT count(*) FROM orders") == len(frame) - result.rows_rejected
    if ids != "none":
        loaded = frame[frame["amount"] != "n/a"]
        assert (
            ws.scalar("SELECT count(DISTINCT order_id) FROM orders")
            == loaded["order_id"].str.removesuffix(".0").nunique()
        )
    ws.close()


def test_a_file_whose_ids_are_all_distinct_has_no_duplicate_rows(tmp_path):
    frame = orders_file(seed=3, ids="unique", rejects=False).drop_duplicates(subset=["order_id"])
    frame = frame[~frame["order_id"].str.endswith(".0")]
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    assert import_file(ws, tmp_path / "orders.csv", "orders").duplicate_rows == expected_duplicates(frame) == 0
    ws.close()


@pytest.mark.parametrize("table", ["tickets", "contacts"])
def test_duplicate_rows_of_other_tables_match_pandas(tmp_path, table):
    rng = np.random.default_rng(5)
    n = 300
    if table == "tickets":
        frame = pd.DataFrame(
            {
                "ticket_id": [f"T{i}" for i in range(n)],
                "customer_id": [f"C{i}" for i in rng.integers(0, 40, n)],
                "created_at": [f"2025-03-{d:02d} 09:30" for d in rng.integers(1, 28, n)],
                "category": rng.choice(["billing", "network"], n),
            }
        )
    else:  # a call log: no ids at all (each row a contact, ids generated)
        frame = pd.DataFrame(
            {
                "contact_date": [f"2025-04-{d:02d}" for d in rng.integers(1, 28, n)],
                "channel": rng.choice(["phone", "sms"], n),
                "y": rng.choice(["yes", "no"], n),
                "age": [str(a) for a in rng.integers(20, 70, n)],
            }
        )
    frame = pd.concat([frame, frame.sample(25, random_state=1)], ignore_index=True).sample(frac=1, random_state=2)
    frame.to_csv(tmp_path / f"{table}.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    result = import_file(ws, tmp_path / f"{table}.csv", table)
    assert result.rows_rejected == 0
    assert result.duplicate_rows == int(frame.duplicated().sum()) >= 25
    ws.close()


def numbered_file(seed: int, layout: str) -> pd.DataFrame:
    """Orders numbered in file order (as most exports are), then one way or another not quite:
    an id again far from its first row, next to it (an order of two lines), a blank id, numbers
    that rise as numbers but not as text (9, 10), or ids falling."""
    rng = np.random.default_rng(seed)
    n = 500
    ids = [f"N{i:05d}" for i in range(n)]
    if layout == "repeated far apart":
        ids[-1] = ids[rng.integers(0, n // 2)]
    elif layout == "repeated next to it":
        at = int(rng.integers(1, n))
        ids[at] = ids[at - 1]
    elif layout == "a blank id":
        ids[int(rng.integers(0, n))] = ""
    elif layout == "numbers":
        ids = [str(i) for i in range(n)]
    elif layout == "falling":
        ids = ids[::-1]
    return pd.DataFrame(
        {
            "order_id": ids,
            "customer_id": [f"C{i}" for i in rng.integers(0, 40, n)],
            "order_date": [f"2025-05-{d:02d} 08:00" for d in rng.integers(1, 29, n)],
            "amount": [f"{a:.2f}" for a in rng.uniform(1, 100, n)],
        }
    )


@pytest.mark.parametrize(
    "layout", ["rising", "repeated far apart", "repeated next to it", "a blank id", "numbers", "falling"]
)
def test_orders_numbered_in_file_order_count_each_order_once(tmp_path, layout):
    """Ids that rise from row to row are known unique without a distinct count; any other layout
    is counted. Either way each order has one first line and duplicates match pandas."""
    frame = numbered_file(seed=len(layout), layout=layout)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    result = import_file(ws, tmp_path / "orders.csv", "orders")
    assert result.duplicate_rows == expected_duplicates(frame)
    ids = frame["order_id"].replace("", None)
    assert ws.scalar("SELECT count(*) FILTER (WHERE _order_first) FROM orders") == ids.nunique() + ids.isna().sum()
    ws.close()
