"""A lake written by another tool (pandas/pyarrow here, never our exporter) in the canonical layout:
`python -m insight lake import PATH` checks every table first and refuses a missing table or
column, or a column of a type that cannot mean it, naming the table, column and folder (nothing
is imported then); a good lake becomes data versions whose figures are the files' own, the same
on Spark. Real files, real DuckDB, real Spark (local)."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insight import cli, demo
from insight.db import foreign_lake, lake, spark
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.views.views import page_view
from tests.db.test_spark_parity import DEMO, DEMO_LINKS, _same_number, assert_same_view

pytestmark = [
    pytest.mark.xdist_group("spark"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _frames(seed: int) -> dict[str, pd.DataFrame]:
    rng = random.Random(seed)
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(1, 81)],
            "region": [rng.choice(("East", "West", "北区")) for _ in range(80)],
            "signup_date": [dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(300)) for _ in range(80)],
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(1, 601)],
            "customer_id": [f"C{rng.randint(1, 80):03d}" for _ in range(600)],
            "order_date": [dt.datetime(2024, 1, 1) + dt.timedelta(minutes=rng.randrange(500_000)) for _ in range(600)],
            "amount": [round(rng.uniform(1, 500), 2) for _ in range(600)],
            "channel": [rng.choice(("App", "Web", "Store")) for _ in range(600)],
        }
    )
    return {"customers": customers, "orders": orders}


def _write_lake(root, frames: dict[str, pd.DataFrame]) -> None:
    """Orders in two version folders (v2 is the one read) of two files each; customers flat."""
    orders = frames["orders"]
    stale = orders.iloc[: len(orders) // 3]  # an older version: fewer orders
    for version, frame in (("v1", stale), ("v2", orders)):
        folder = root / "orders" / version
        folder.mkdir(parents=True)
        half = len(frame) // 2
        frame.iloc[:half].to_parquet(folder / "part-a.parquet", index=False)
        pq.write_table(pa.Table.from_pandas(frame.iloc[half:], preserve_index=False), folder / "part-b.parquet")
    (root / "customers").mkdir()
    frames["customers"].to_parquet(root / "customers" / "data.parquet", index=False)


def test_another_tools_lake_imports_with_its_own_figures_and_spark_agrees(tmp_path, spark_session):
    frames = _frames(3)
    _write_lake(tmp_path / "their-lake", frames)
    ws_path = tmp_path / "ws.duckdb"
    ws = Workspace(ws_path)
    foreign_lake.adopt(ws, tmp_path / "their-lake")
    ws.close()
    ws = Workspace(ws_path)
    try:
        snap = ws.snapshot()
        assert set(snap.tables) == {"orders", "customers"}
        orders = frames["orders"]
        view = page_view(ws, "overview?from=2024-01-01&to=2024-12-31")
        in_year = orders[orders["order_date"] < dt.datetime(2025, 1, 1)]
        assert view.kpis["revenue"].value == pytest.approx(in_year["amount"].sum(), rel=1e-9)
        assert view.kpis["orders"].value == len(in_year)
        ws.close()
        shutil.copy(ws_path, tmp_path / "spark.duckdb")
        ws = Workspace(ws_path)
        other = Workspace(tmp_path / "spark.duckdb")
        spark.attach(other, spark_session)
        try:
            for link in ("overview?from=2024-01-01&to=2024-12-31", "channels"):
                assert_same_view(page_view(ws, link), page_view(other, link))
        finally:
            other.close()
    finally:
        ws.close()


def _bad_lakes(seed: int):
    """(what is wrong, the lake's frames, the table and column the message must name)."""
    rng = random.Random(seed)
    good = _frames(seed)
    yield "no amount", {**good, "orders": good["orders"].drop(columns="amount")}, "orders", "amount"
    yield "no order_date", {**good, "orders": good["orders"].drop(columns="order_date")}, "orders", "order_date"
    yield (
        "no customer_id",
        {**good, "customers": good["customers"].drop(columns="customer_id")},
        "customers",
        "customer_id",
    )
    for column, bad in (
        ("amount", lambda s: s.map(lambda v: f"¥{v}")),  # money as text
        ("order_date", lambda s: s.map(lambda v: int(v.timestamp()))),  # dates as numbers
        ("channel", lambda s: s.map(lambda v: rng.random())),  # a text column as numbers
    ):
        yield (
            f"{column} mistyped",
            {**good, "orders": good["orders"].assign(**{column: bad(good["orders"][column])})},
            "orders",
            column,
        )
    yield (
        "signup_date mistyped",
        {**good, "customers": good["customers"].assign(signup_date="2023")},
        "customers",
        "signup_date",
    )


@pytest.mark.parametrize("case", [c[0] for c in _bad_lakes(5)])
def test_a_bad_lake_is_refused_naming_table_column_and_folder(tmp_path, case):
    _, frames, table, column = next(c for c in _bad_lakes(5) if c[0] == case)
    _write_lake(tmp_path / "lake", frames)
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        with pytest.raises(InsightError) as caught:
            foreign_lake.adopt(ws, tmp_path / "lake")
        error = caught.value
        assert error.column == column and table in str(error) and column in str(error)
        assert str(tmp_path / "lake" / table) in str(error.file)
        assert error.hint is not None and column in error.hint.text("zh")
        assert ws.snapshot().tables == {}, "nothing imported: one bad table refuses the lake"
    finally:
        ws.close()


def test_a_folder_without_tables_or_with_broken_parquet_says_so(tmp_path):
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        (tmp_path / "empty" / "sales").mkdir(parents=True)
        with pytest.raises(InsightError) as caught:
            foreign_lake.adopt(ws, tmp_path / "empty")
        assert caught.value.message.key == "lake.no_tables" and "orders/" in caught.value.hint.text("en")
        (tmp_path / "broken" / "orders").mkdir(parents=True)
        (tmp_path / "broken" / "orders" / "x.parquet").write_bytes(b"PAR1 not really")
        with pytest.raises(InsightError) as caught:
            foreign_lake.adopt(ws, tmp_path / "broken")
        assert caught.value.message.key == "lake.unreadable" and "x.parquet" in caught.value.file
    finally:
        ws.close()


def test_spark_refuses_another_tools_parquet_in_place_of_a_version(tmp_path, spark_session, monkeypatch):
    frames = _frames(4)
    _write_lake(tmp_path / "their-lake", frames)
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        foreign_lake.adopt(ws, tmp_path / "their-lake")
        physical = ws.snapshot().tables["orders"]
        monkeypatch.setenv("INSIGHT_LAKE", str(tmp_path / "their-lake"))  # where their folders sit
        target = lake.folder(ws, physical)
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        frames["orders"].to_parquet(target / "theirs.parquet", index=False)
        spark.attach(ws, spark_session)
        with pytest.raises(InsightError) as caught:
            page_view(ws, "overview")
        assert caught.value.message.key == "lake.foreign" and str(target) in str(caught.value)
    finally:
        ws.close()


def test_cli_lake_import_prints_what_it_read(tmp_path, capsys):
    _write_lake(tmp_path / "lake", _frames(6))
    Workspace(tmp_path / "ws.duckdb").close()
    assert (
        cli.main(["--workspace", str(tmp_path / "ws.duckdb"), "lake", "import", str(tmp_path / "lake"), "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert {(r["table"], r["rows"]) for r in out["imported"]} == {("orders", 600), ("customers", 80)}
    assert any(r["folder"].endswith("v2") for r in out["imported"])


# --- read in place: INSIGHT_LAKE at another tool's lake, Spark reads its files where they are -----


def _write_foreign(root, frames: dict[str, pd.DataFrame]) -> None:
    """The demo as another tool writes it: no row id; orders partitioned Hive-style by region;
    tickets in two files; timestamps in nanoseconds (pandas' own, which Spark cannot read as
    such); one column named in capitals."""
    for table, frame in frames.items():
        folder = root / table
        folder.mkdir(parents=True)
        data = pa.Table.from_pandas(frame, preserve_index=False)
        if table == "orders":
            pq.write_to_dataset(data, folder, partition_cols=["region"])
        elif table == "tickets":
            half = len(frame) // 2
            pq.write_table(data.slice(0, half), folder / "part-0.parquet")
            pq.write_table(data.slice(half), folder / "part-1.parquet")
        else:
            data = data.rename_columns(["Region" if c == "region" else c for c in data.column_names])
            pq.write_table(data, folder / "data.parquet")
    (root / "orders" / "_SUCCESS").touch()  # a Spark job's marker beside the data: not read


@pytest.fixture(scope="module")
def in_place_pair(tmp_path_factory, spark_session):
    """The same lake twice: imported into DuckDB (`lake import`), and read in place by Spark."""
    folder = tmp_path_factory.mktemp("in-place")
    frames = demo.generate(**DEMO)
    _write_foreign(folder / "their-lake", frames)
    duck = Workspace(folder / "duck.duckdb")
    foreign_lake.adopt(duck, folder / "their-lake")
    other = Workspace(folder / "spark.duckdb")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("INSIGHT_LAKE", str(folder / "their-lake"))
        spark.attach(other, spark_session)
    yield frames, duck, other
    duck.close()
    other.close()


@pytest.mark.parametrize("link", DEMO_LINKS)
def test_a_lake_read_in_place_gives_the_figures_of_the_same_lake_imported(in_place_pair, link):
    _, duck, other = in_place_pair
    expected = page_view(duck, link)
    assert expected.kpis or len(expected.tables()) > 2, "the page shows figures on DuckDB"
    assert_same_view(expected, page_view(other, link))


def test_a_lake_read_in_place_is_not_copied_and_its_row_ids_are_the_files_order(in_place_pair):
    frames, _, other = in_place_pair
    snap = other.snapshot()
    assert set(snap.tables) == set(frames)
    rows = other.datasets().set_index("table")
    for table, frame in frames.items():
        assert rows.loc[table, "rows"] == len(frame), f"{table}: the files' rows are recorded"
        assert rows.loc[table, "mode"] == "lake"
        with other.cursor() as cur:  # the workspace file holds the columns, never the rows
            assert cur.execute(f'SELECT count(*) FROM "{snap.tables[table]}"').fetchone()[0] == 0
    assert not other.path.with_suffix(".lake").exists(), "nothing exported: Spark read the files"
    page_view(other, "complaints")  # (reads tickets)
    got = other.engine.table(snap.tables["tickets"]).select("ticket_id", "rowid").toPandas()
    tickets, half = frames["tickets"], len(frames["tickets"]) // 2
    want = [*range(half), *((1 << 40) + i for i in range(len(tickets) - half))]  # part-0's rows, then part-1's
    assert dict(zip(got["ticket_id"], got["rowid"], strict=True)) == dict(zip(tickets["ticket_id"], want, strict=True))
    customers = other.engine.table(snap.tables["customers"]).columns
    assert "region" in customers and "Region" not in customers, "canonical names in any case are mapped"
    plain = Workspace(other.path)  # the same workspace on DuckDB, which holds none of the rows: it says so
    try:
        notes = page_view(plain, "overview").notes
        assert any(getattr(n, "key", None) == "lake.in_place_only" and "orders" in str(n) for n in notes), notes
    finally:
        plain.close()


def test_a_changed_lake_becomes_a_new_version_and_an_unchanged_one_does_not(tmp_path, spark_session, monkeypatch):
    frames = _frames(8)
    root = tmp_path / "their-lake"
    (root / "customers").mkdir(parents=True)
    frames["customers"].iloc[:50].to_parquet(root / "customers" / "a.parquet", index=False)
    monkeypatch.setenv("INSIGHT_LAKE", str(root))
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        spark.attach(ws, spark_session)
        first = ws.snapshot().tables["customers"]
        spark.attach(ws, spark_session)  # (the next start of the app)
        assert ws.snapshot().tables["customers"] == first and ws.version() == 1
        frames["customers"].iloc[50:].to_parquet(root / "customers" / "b.parquet", index=False)
        spark.attach(ws, spark_session)
        assert ws.version() == 2 and ws.datasets()["rows"].tolist() == [80]
        assert ws.query('SELECT count(*) AS n FROM "customers__v2"')["n"][0] == 80, "Spark counts the new file"
    finally:
        ws.close()


def test_orders_of_several_lines_read_in_place_count_once(tmp_path, spark_session, monkeypatch):
    """Order ids that repeat (one line per product) make the orders fact count each order once:
    whether they repeat is decided on the lake's rows (the workspace file holds none of them)."""
    frames = _frames(12)
    orders = frames["orders"]
    first = [i - i % 3 for i in range(len(orders))]  # three lines an order: its first line's id, time, customer
    lines = orders.assign(
        order_id=orders["order_id"].iloc[first].to_numpy(),
        order_date=orders["order_date"].iloc[first].to_numpy(),
        customer_id=orders["customer_id"].iloc[first].to_numpy(),
    )
    root = tmp_path / "their-lake"
    _write_flat(root, {"customers": frames["customers"], "orders": lines})
    duck, other = Workspace(tmp_path / "duck.duckdb"), Workspace(tmp_path / "spark.duckdb")
    try:
        foreign_lake.adopt(duck, root)
        monkeypatch.setenv("INSIGHT_LAKE", str(root))
        spark.attach(other, spark_session)
        link = "overview?from=2024-01-01&to=2025-12-31"
        expected = page_view(duck, link)
        assert expected.kpis["orders"].value == lines["order_id"].nunique() < len(lines)
        assert expected.kpis["revenue"].value == pytest.approx(lines["amount"].sum(), rel=1e-9)
        assert_same_view(expected, page_view(other, link))
    finally:
        duck.close()
        other.close()


def _bad_in_place(seed: int):
    """(what is wrong, a function writing the lake, the table and column the message must name)."""
    for case, frames, table, column in _bad_lakes(seed):
        yield case, lambda root, frames=frames: _write_flat(root, frames), table, column
    good = _frames(seed)

    def partition(root):  # a date partitioned by folders whose values are no dates
        _write_flat(root, {"customers": good["customers"]})
        orders = good["orders"].drop(columns="order_date")
        pq.write_to_dataset(pa.Table.from_pandas(orders.assign(order_date="soon")), root / "orders", ["order_date"])

    def conflict(root):  # two files of one table disagree on a column's type
        _write_flat(root, {"customers": good["customers"], "orders": good["orders"].iloc[:300]})
        good["orders"].iloc[300:].astype({"amount": str}).to_parquet(root / "orders" / "more.parquet", index=False)

    yield "partition values no dates", partition, "orders", "order_date"
    yield "files disagree on amount", conflict, "orders", "amount"


def _write_flat(root, frames: dict[str, pd.DataFrame]) -> None:
    for table, frame in frames.items():
        (root / table).mkdir(parents=True)
        frame.to_parquet(root / table / "data.parquet", index=False)


@pytest.mark.parametrize("case", [c[0] for c in _bad_in_place(9)])
def test_a_bad_lake_read_in_place_is_refused_and_nothing_is_mounted(tmp_path, spark_session, monkeypatch, case):
    _, write, table, column = next(c for c in _bad_in_place(9) if c[0] == case)
    write(tmp_path / "lake")
    monkeypatch.setenv("INSIGHT_LAKE", str(tmp_path / "lake"))
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        with pytest.raises(InsightError) as caught:
            spark.attach(ws, spark_session)
        error = caught.value
        assert error.column == column and table in str(error) and column in str(error)
        assert str(tmp_path / "lake" / table) in str(error.file)
        assert error.hint is not None and column in error.hint.text("zh") and column in error.message.text("zh")
        assert ws.snapshot().tables == {}, "one bad table mounts none"
    finally:
        ws.close()


def test_cli_view_reads_a_lake_in_place_with_engine_and_lake_options(in_place_pair, tmp_path, monkeypatch, capsys):
    _, duck, _ = in_place_pair
    monkeypatch.setenv("INSIGHT_ENGINE", "duckdb")  # restored after: the options set them for the run
    monkeypatch.setenv("INSIGHT_LAKE", "")
    their_lake = str(duck.path.parent / "their-lake")
    argv = ["--workspace", str(tmp_path / "ws.duckdb"), "view", "complaints", "--engine", "spark", "--lake", their_lake]
    assert cli.main([*argv, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    expected = page_view(duck, "complaints")
    assert got["kpis"].keys() == expected.kpis.keys()
    for kid, kpi in expected.kpis.items():
        _same_number(kpi.value, got["kpis"][kid], kid)


# --- lake import: all or nothing --------------------------------------------------------------


def _bad_second_tables(seed: int):
    """Orders the checks pass (right columns, right types) but the importer refuses, each a
    different way: no row has what an order needs."""
    orders = _frames(seed)["orders"]
    yield "no dates", orders.assign(order_date=pd.Series(pd.NaT, index=orders.index, dtype="datetime64[us]"))
    yield "no amounts", orders.assign(amount=pd.Series(float("nan"), index=orders.index))
    yield "dates out of range", orders.assign(order_date=dt.datetime(1700, 1, 1))


@pytest.mark.parametrize("case", [c[0] for c in _bad_second_tables(10)])
def test_lake_import_refused_by_the_importer_on_its_second_table_leaves_the_workspace_as_it_was(tmp_path, case):
    bad = dict(_bad_second_tables(10))[case]
    frames = _frames(10)
    _write_flat(tmp_path / "lake", {"customers": frames["customers"], "orders": bad})
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        ws.publish_frames({"customers": frames["customers"].iloc[:10]}, source_file="before")
        before = (ws.history(), ws.snapshot().tables, ws.datasets())
        with pytest.raises(InsightError) as caught:
            foreign_lake.adopt(ws, tmp_path / "lake")
        assert caught.value.message.key == "import.nothing_loaded" and "orders" in str(caught.value.file)
        pd.testing.assert_frame_equal(ws.history(), before[0])
        assert ws.snapshot().tables == before[1], "the customers of the lake were not imported either"
        pd.testing.assert_frame_equal(ws.datasets(), before[2])
    finally:
        ws.close()
