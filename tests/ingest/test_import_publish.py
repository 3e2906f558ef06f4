"""All or nothing, facts included: a version is published together with the facts and derived
tables its pages read, and a failure at any step (here: the disk filling up while the facts are
written, with real DuckDB and a real file-size limit) leaves the previous version serving."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager

import duckdb
import numpy as np
import pandas as pd
import pytest

from insight.db import facts
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.ingest.importer import delete, import_file
from insight.views.views import PAGES, page_view
from tests.conftest import ROOT
from tests.corpus import no_constants


def big_orders(path, n=200_000, customers=3000):
    rng = np.random.default_rng(1)
    pd.DataFrame(
        {
            "order_id": [f"F{i:07d}" for i in range(n)],
            "customer_id": [f"C{int(i):05d}" for i in rng.integers(0, customers, n)],
            "order_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, n), unit="s"),
            "amount": rng.integers(100, 90000, n) / 100,
            "channel": rng.choice(["App", "Store"], n),
            "note": [f"text {i} " * 3 for i in range(n)],
        }
    ).to_csv(path, index=False)
    return path


def state(ws) -> dict:
    return {
        "history": ws.history()[["version", "table", "rows"]].to_dict("records"),
        "orders": ws.query("SELECT count(*) AS n, sum(amount) AS s FROM orders").to_dict("records"),
        "facts": sorted(ws.query(f"{facts._LIST_SQL} ORDER BY 1")["name"]),
    }


def storage_bytes(ws, table: str) -> int:
    return int(ws.scalar(f"SELECT count(DISTINCT block_id) * 262144 FROM pragma_storage_info('{table}')"))


@contextmanager
def file_size_limit(limit: int):
    """Writes past `limit` bytes fail with EFBIG, as on a full disk (SIGXFSZ ignored)."""
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, handler)


def test_facts_are_built_in_the_publish(demo_ws, tmp_path):
    path = tmp_path / "orders.csv"
    pd.DataFrame({"order_id": ["A", "B"], "order_date": ["2026-01-01", "2026-01-02"], "amount": [1, 2]}).to_csv(
        path, index=False
    )
    version = import_file(demo_ws, path, "orders").version
    names = set(demo_ws.query(facts._LIST_SQL)["name"])
    snap = demo_ws.snapshot()
    for table in ("orders", "customer_channels", "orders_rollup"):
        name = facts.fact_name(snap, table)
        assert f"_v{version}_" in name
        assert name in names or table == "customer_channels"  # no channel column: no channel table


def test_a_failure_while_writing_the_facts_leaves_the_previous_version(demo_file, tmp_path):
    # (Mostly first orders: the first orders, one table the facts step writes, about as big as the
    # version. The orders fact itself is a view of the version.)
    csv = big_orders(tmp_path / "big.csv", customers=10**6)
    # Measure what the new version and the tables its facts step writes take on disk, on a scratch copy.
    scratch = tmp_path / "scratch.duckdb"
    shutil.copy(demo_file, scratch)
    ws = Workspace(scratch)
    version = import_file(ws, csv, "orders").version
    table_bytes = storage_bytes(ws, f"orders__v{version}")
    fact_bytes = sum(storage_bytes(ws, facts.fact_name(ws.snapshot(), t)) for t in facts.DERIVED)
    ws.close()

    work = tmp_path / "work.duckdb"
    shutil.copy(demo_file, work)
    ws = Workspace(work)
    before = state(ws)
    steps = []
    limit = work.stat().st_size + table_bytes + fact_bytes // 2  # the table fits, its facts do not
    with pytest.raises(InsightError) as info, file_size_limit(limit):
        import_file(ws, csv, "orders", progress=lambda f, step: steps.append(step))
    assert steps[-1] == "building facts"  # the version table was written; the facts step failed
    assert "could not be written" in str(info.value) and "previous data is unchanged" in str(info.value)
    assert info.value.file == "big.csv"
    assert state(ws) == before
    for page in PAGES:
        page_view(ws, page)
    ws.close()
    reopened = Workspace(work)  # and on disk
    assert state(reopened) == before
    reopened.close()


def test_a_full_disk_on_the_command_line_is_one_line_and_changes_nothing(demo_file, tmp_path):
    csv = big_orders(tmp_path / "big.csv", n=100_000)
    work = tmp_path / "work.duckdb"
    shutil.copy(demo_file, work)
    limit = work.stat().st_size + 1_000_000

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = subprocess.run(
        [sys.executable, "-m", "insight", "--workspace", str(work), "import", str(csv), "--as", "orders"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=full_disk,
    )
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: big.csv: the workspace could not be written")
    assert "free disk space" in lines[0] and "Traceback" not in out.stderr
    ws = Workspace(work)
    assert ws.scalar("SELECT count(*) FROM orders") == 60_000  # the demo's, untouched
    ws.close()


def test_deleting_a_table_drops_its_facts_in_the_same_transaction(demo_ws):
    before = set(demo_ws.query(facts._LIST_SQL)["name"])
    assert any(n.startswith("_fact_orders_") for n in before)
    delete(demo_ws, "orders")
    after = set(demo_ws.query(facts._LIST_SQL)["name"])
    assert not any(n.startswith(("_fact_orders_", "_fact_orders_rollup", "_fact_customer_channels")) for n in after)
    assert any(n.startswith("_fact_tickets_") for n in after)


def test_an_unexpected_error_is_one_line_unless_debug(tmp_path):
    """A workspace in a state the code does not expect (a table where a view belongs) is a bug, not a
    user error: exit 1 and one line; --debug shows the trace."""
    import duckdb

    work = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(work))
    con.execute("CREATE TABLE orders (x INTEGER)")
    con.close()
    csv = tmp_path / "o.csv"
    csv.write_text("order_id,order_date,amount\nA,2026-01-01,1\n")
    base = [sys.executable, "-m", "insight", "--workspace", str(work)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([*base, "import", str(csv), "--as", "orders"], capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert out.stderr.strip() == "error: unexpected error, run with --debug for details"
    debug = subprocess.run(
        [*base, "--debug", "import", str(csv), "--as", "orders"], capture_output=True, text=True, env=env
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "orders" in debug.stderr
    assert debug.stderr.strip().endswith("error: unexpected error, run with --debug for details")


def test_view_json_has_no_nan_and_integer_counts(tmp_path):
    csv = tmp_path / "o.csv"
    csv.write_text("order_id,order_date,amount\nA,2026-01-01,1\nB,2026-01-02,nan\n")
    work = tmp_path / "w.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "insight", "--workspace", str(work)]
    subprocess.run([*base, "import", str(csv), "--as", "orders"], check=True, env=env, capture_output=True)
    for page in PAGES:
        out = subprocess.run([*base, "view", page, "--json"], capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        view = json.loads(out.stdout, parse_constant=no_constants)
        assert view["page"] == page
    report = subprocess.run(
        [*base, "import", str(csv), "--as", "orders", "--json"], capture_output=True, text=True, env=env
    )
    parsed = json.loads(report.stdout)
    assert parsed["rejects"][0] == {
        "row": 2,
        "column": "amount",
        "value": "nan",
        "reason": "not a finite number (NaN or infinity)",
    }


def _orders_frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame(
        {
            "order_id": [f"S{seed}-{i}" for i in range(n)],
            "customer_id": rng.choice([f"C{i:03d}" for i in range(40)], n),
            "order_date": start + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s"),
            "amount": rng.uniform(1, 500, n).round(2),
            "status": rng.choice(["completed", "cancelled", "returned", "completed", ""], n),
        }
    )


def _day(value) -> str:
    return "None" if pd.isna(value) else str(pd.Timestamp(value).date())


def _expected_prev_days(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Per customer, each counted order's previous counted order day (sorted, as text), by pandas."""
    frame = frame.assign(order_date=pd.to_datetime(frame["order_date"]))
    counted = ~frame["status"].fillna("").isin(["cancelled", "returned"])
    ordered = frame[counted].sort_values(["customer_id", "order_date"])
    prev = ordered.groupby("customer_id")["order_date"].shift(1)
    out = {c: [_day(d) for d in p] for c, p in prev.groupby(ordered["customer_id"])}
    for c, n in frame[~counted].groupby("customer_id").size().items():
        out[c] = out.get(c, []) + ["None"] * n
    return {c: sorted(v) for c, v in out.items()}


def test_each_counted_orders_previous_order_day_matches_pandas_after_replace_and_append(tmp_path):
    """The orders fact's `_prev_day` (computed over a few columns and joined back by row) against
    pandas, on a generated file and again after appending a second one."""
    ws = Workspace(tmp_path / "ws.duckdb")
    first, second = _orders_frame(1, 900), _orders_frame(2, 400)
    first.to_csv(tmp_path / "a.csv", index=False)
    second.to_csv(tmp_path / "b.csv", index=False)
    for csv, frame in (("a.csv", first), ("b.csv", pd.concat([first, second]))):
        import_file(ws, tmp_path / csv, "orders", mode="append")
        got = ws.query("SELECT customer_id, _prev_day FROM orders")
        assert len(got) == len(frame)
        found = {c: sorted(_day(d) for d in g) for c, g in got.groupby("customer_id")["_prev_day"]}
        assert found == _expected_prev_days(frame)
    ws.close()


@pytest.mark.parametrize("storage", [None, "v1.0.0"])
def test_order_and_customer_ids_are_stored_as_chosen_where_the_file_allows(tmp_path, storage):
    """A unique order_id column is written with zstd (cheaper to write than DuckDB's own choice for
    text with no repeats), customer_id uncompressed (a few dozen rows per id: nothing worth the
    encoding); a workspace file of a storage version without the choice imports as before. Either
    way the ids read back as the file has them (against pandas)."""
    path = tmp_path / "ws.duckdb"
    if storage:
        con = duckdb.connect()
        con.execute(f"ATTACH '{path}' AS old (STORAGE_VERSION '{storage}')")
        con.close()
    frame = _orders_frame(3, 3000)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(path)
    import_file(ws, tmp_path / "orders.csv", "orders")
    physical = ws.snapshot().tables["orders"]
    with ws.cursor() as cur:
        cur.execute("CHECKPOINT")
        rows = cur.execute(
            f"SELECT DISTINCT column_name, compression FROM pragma_storage_info('{physical}') "
            "WHERE column_name IN ('order_id', 'customer_id') AND segment_type = 'VARCHAR'"
        ).fetchall()
    methods = {column: {m for c, m in rows if c == column} for column in ("order_id", "customer_id")}
    assert (methods["order_id"] == {"ZSTD"}) == (storage is None), methods
    assert (methods["customer_id"] == {"Uncompressed"}) == (storage is None), methods
    got = ws.query("SELECT order_id, customer_id FROM orders")
    assert sorted(got["order_id"]) == sorted(frame["order_id"].astype(str))
    assert sorted(got["customer_id"].dropna()) == sorted(frame["customer_id"].dropna().astype(str))
    ws.close()
