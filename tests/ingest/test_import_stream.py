"""A plain UTF-8 file replacing orders is typed as it is read (insight/ingest/stream.py): the rows,
rejects and row numbers must be those of the copied read (an append into an empty workspace copies
the file) and of an independent reading of the generated file."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from insight.db.workspace import Workspace
from insight.ingest.importer import import_file

CANCEL, RETURN = ("void", "Cancelled", "作废"), ("Refunded", "returned", "退款")


def _orders_file(path, rows: int, seed: int, short_row: bool = False, sep: str = ","):
    """A generated orders export: statuses first seen late in the file, negative amounts, bad values,
    blank lines, a line with a surplus field (and optionally a short row). Returns what a reader must
    find: {data-row number: (order_id, amount, status)} of the rows to load, and the rejected rows."""
    rng = random.Random(seed)
    lines, good, rejected = ["order_id,customer_id,order_date,amount,status"], {}, set()
    for row in range(1, rows + 1):
        kind = rng.random()
        order_id = f"{'C' if rng.random() < 0.1 else 'A'}{row}"
        amount = round(rng.uniform(-50, 500), 2)
        late = row > rows * 0.9  # past the statuses looked up before the typing pass
        status = rng.choice(["completed", "Completed ", "", *(CANCEL + RETURN if late else ("returned",))])
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00:00"
        if kind < 0.01:
            lines.append(",,,," if rng.random() < 0.5 else " , ,,,")  # (an empty line is no row at all)
            continue
        if kind < 0.02:
            lines.append(f"{order_id},K{row % 97},{date},{amount},{status},surplus")
            rejected.add(row)
            continue
        if kind < 0.03:
            lines.append(f"{order_id},K{row % 97},{rng.choice(['not a date', '2024-13-45'])},{amount},{status}")
            rejected.add(row)
            continue
        if kind < 0.04:
            lines.append(f"{order_id},K{row % 97},{date},{rng.choice(['abc', 'inf', '1e999'])},{status}")
            rejected.add(row)
            continue
        lines.append(f"{order_id},K{row % 97},{date},{amount},{status}")
        good[row] = (order_id, amount, _status(order_id, amount, status))
    if short_row:
        lines.append(f"A{rows + 1},K1,2024-01-01 10:00:00")  # no amount: rejected as missing
        rejected.add(rows + 1)
    path.write_text("\n".join(line.replace(",", sep) for line in lines) + "\n", encoding="utf-8")
    return good, rejected


def _status(order_id: str, amount: float, given: str) -> str:
    text = given.strip().lower()
    if any(w in text for w in ("cancel", "void", "作废")):
        return "cancelled"
    if any(w in text for w in ("return", "refund", "退款")):
        return "returned"
    if amount < 0:
        return "cancelled" if order_id[0] == "C" else "returned"
    return text or "completed"


def _imported(ws: Workspace, path, mode: str):
    result = import_file(ws, path, "orders", mode=mode)
    rows = ws.query("SELECT order_id, customer_id, order_date, amount, status FROM orders ORDER BY order_id")
    return result, rows


@pytest.mark.parametrize(("short_row", "sep"), [(False, ","), (True, ","), (False, "\t")])
def test_streamed_import_equals_the_copied_one_and_the_file(tmp_path, short_row, sep):
    path = tmp_path / "orders.csv"
    good, rejected = _orders_file(path, 25_000, seed=7 + short_row, short_row=short_row, sep=sep)
    streamed = Workspace(tmp_path / "streamed.duckdb")
    copied = Workspace(tmp_path / "copied.duckdb")
    try:
        s_result, s_rows = _imported(streamed, path, "replace")
        c_result, c_rows = _imported(copied, path, "append")  # (an append copies the file's text)
        pd.testing.assert_frame_equal(s_rows, c_rows)
        pd.testing.assert_frame_equal(s_result.rejects, c_result.rejects)
        for key in ("rows_read", "rows_loaded", "rows_rejected", "read", "warnings", "date_formats"):
            assert s_result.to_dict()[key] == c_result.to_dict()[key], key
        # Against the file as generated: which rows load, with which status, and the rejects' rows.
        expected = pd.DataFrame(
            [(o, a, s) for o, a, s in good.values()], columns=["order_id", "amount", "status"]
        ).sort_values("order_id", ignore_index=True)
        got = s_rows[["order_id", "amount", "status"]].sort_values("order_id", ignore_index=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        assert set(s_result.rejects["row"]) == rejected
        assert s_result.rows_loaded == len(good) and s_result.rows_rejected == len(rejected)
        late = {s for o, a, s in good.values()}
        assert {"cancelled", "returned", "completed"} <= late
    finally:
        streamed.close()
        copied.close()
