"""The same figures on Spark as on DuckDB: every page's view on the demo and on the shared sample
files, computed by both engines and compared number by number (counts exactly, other numbers
within 1e-9 relative). Real Spark (local[2]), one session for the whole run."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil

import pandas as pd
import pytest

from insight import cli
from insight.db import lake, spark
from insight.db.workspace import Workspace
from insight.demo_workspace import build_demo
from insight.ingest.importer import import_file
from insight.ml import churn_model
from insight.views.views import page_view
from tests.conftest import RETAIL, TELCO, TICKETS

pytestmark = [
    pytest.mark.xdist_group("spark"),
    # pyspark 4.3 about pandas 3 (its conversions work: the figures below are compared)
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

#: Small: Spark's cost is per query, not per row. Each page once (Segments with its movement
#: section, Churn with trend, attributes, cohorts and survival inputs, Complaints over time).
DEMO = {"customers": 400, "orders": 5000, "seed": 11}
DEMO_LINKS = (
    "overview?region=East&cmp=yoy",
    "channels",
    "segments?tab=movement",
    "churn",
    "complaints?tab=time",
    "campaigns?from=2024-01-01",
)
#: The sample files: retail orders (behavioural churn: spells), telco customers, support tickets.
SAMPLE_LINKS = ("overview", "segments", "churn?churn=behavioural", "complaints")


def _pair(tmp_path_factory, name: str, fill) -> tuple[Workspace, Workspace]:
    """The same workspace twice: one read by DuckDB, one by Spark (from its own lake)."""
    folder = tmp_path_factory.mktemp(name)
    first = Workspace(folder / "duck.duckdb")
    fill(first)
    first.close()
    shutil.copy(folder / "duck.duckdb", folder / "spark.duckdb")
    shutil.copy(folder / "duck.duckdb", folder / "connect.duckdb")  # for a Spark Connect client
    return Workspace(folder / "duck.duckdb"), Workspace(folder / "spark.duckdb")


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory, spark_session):
    duck, other = _pair(tmp_path_factory, "spark-demo", lambda w: build_demo(w, **DEMO))
    spark.attach(other, spark_session)
    yield duck, other
    duck.close()
    other.close()


def _samples(ws: Workspace) -> None:
    for path, table in ((TELCO, "customers"), (RETAIL, "orders"), (TICKETS, "tickets")):
        assert import_file(ws, path, table).version is not None


@pytest.fixture(scope="module")
def sample_pair(tmp_path_factory, spark_session):
    duck, other = _pair(tmp_path_factory, "spark-samples", _samples)
    spark.attach(other, spark_session)
    yield duck, other
    duck.close()
    other.close()


def assert_same_view(expected, got) -> None:
    assert got.missing == expected.missing
    assert [str(n) for n in got.notes] == [str(n) for n in expected.notes]
    assert set(got.kpis) == set(expected.kpis)
    for kid, kpi in expected.kpis.items():
        for field in ("value", "previous", "change", "change_pct"):
            _same_number(getattr(kpi, field), getattr(got.kpis[kid], field), f"kpi {kid}.{field}")
    assert list(got.tables()) == list(expected.tables())
    for name, frame in expected.tables().items():
        _same_frame(frame, got.tables()[name], name)


def _same_number(a, b, where: str) -> None:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        assert (a is None or pd.isna(a)) and (b is None or pd.isna(b)), f"{where}: {a!r} vs {b!r}"
    elif isinstance(a, int) and not isinstance(a, bool):
        assert a == b, f"{where}: {a!r} vs {b!r}"
    else:
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12), f"{where}: {a!r} vs {b!r}"


def _same_frame(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    assert list(b.columns) == list(a.columns), name
    assert len(b) == len(a), name
    for col in a.columns:
        left, right = a[col].reset_index(drop=True), b[col].reset_index(drop=True)
        if pd.api.types.is_integer_dtype(left) or pd.api.types.is_bool_dtype(left):
            assert (
                left.astype(object).where(left.notna(), None).tolist()
                == right.astype(object).where(right.notna(), None).tolist()
            ), f"{name}.{col}: counts differ"
        elif pd.api.types.is_float_dtype(left):
            pd.testing.assert_series_equal(
                left, right.astype(float), check_dtype=False, rtol=1e-9, atol=1e-12, obj=f"{name}.{col}"
            )
        else:  # text, dates: a NULL is a NULL (None or NaN, as each engine's pandas types have it)
            assert _plain(left) == _plain(right), f"{name}.{col}"


def _plain(values: pd.Series) -> list:
    return values.astype(object).where(values.notna(), None).tolist()


@pytest.mark.parametrize("link", DEMO_LINKS)
def test_demo_pages_are_the_same_on_spark(demo_pair, link):
    duck, other = demo_pair
    expected = page_view(duck, link)
    assert expected.kpis or len(expected.tables()) > 2, "the page shows figures on DuckDB"
    assert_same_view(expected, page_view(other, link))


@pytest.mark.parametrize("link", SAMPLE_LINKS)
def test_sample_file_pages_are_the_same_on_spark(sample_pair, link):
    duck, other = sample_pair
    assert_same_view(page_view(duck, link), page_view(other, link))


def test_spark_reads_the_lake_and_builds_its_own_facts(demo_pair):
    duck, other = demo_pair
    page_view(other, "overview")
    snap = other.snapshot()
    read = [(t, p) for t, p in snap.tables.items() if p in other.engine._ready]
    assert {"orders", "customers"} <= {t for t, _ in read}
    for table, physical in read:
        written = pd.read_parquet(lake.folder(other, physical)).drop(columns="rowid")
        source = duck.query(f'SELECT * FROM "{physical}"')
        assert list(written.columns) == list(source.columns), table
        assert len(written) == len(source), table
    built = [n for n in other.engine._ready if n.startswith("_fact_orders_v")]
    assert built, "the orders fact was built on Spark"
    on_spark = other.engine.table(built[0]).count()
    assert on_spark == duck.scalar(f'SELECT count(*) FROM "{built[0]}"')
    for link in ("segments", "churn?churn=behavioural"):  # what a read computes: a period's segments, spells
        assert_same_view(page_view(duck, link), page_view(other, link))
    for family in ("_seg", "_spl"):
        names = [n for n in other.engine._ready if n.startswith(family)]
        assert names, f"{family} tables were built on Spark"
        scratch = f'{duck.scratch}."{names[0]}"'
        assert other.engine.table(names[0]).count() == duck.scalar(f"SELECT count(*) FROM {scratch}")


def test_cli_view_with_engine_spark_prints_duckdbs_figures(demo_pair, monkeypatch, capsys):
    duck, _ = demo_pair
    monkeypatch.setenv("INSIGHT_ENGINE", "duckdb")  # restored after: --engine sets it for the run
    assert cli.main(["--workspace", str(duck.path), "view", "complaints", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    folder = duck.path.parent / "cli"
    folder.mkdir()
    shutil.copy(duck.path, folder / "cli.duckdb")
    argv = ["--workspace", str(folder / "cli.duckdb"), "view", "complaints", "--engine", "spark", "--json"]
    assert cli.main(argv) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["kpis"].keys() == expected["kpis"].keys()
    for kid, value in expected["kpis"].items():
        _same_number(value, got["kpis"][kid], kid)
    assert got["tables"] == expected["tables"] or got["tables"].keys() == expected["tables"].keys()
    for name, rows in expected["tables"].items():
        _same_frame(pd.DataFrame(rows), pd.DataFrame(got["tables"][name]), name)
    assert any((folder / "cli.lake" / "tickets").iterdir()), "the version was exported to the lake on demand"


def test_a_row_scoped_user_sees_the_same_rows_on_spark(demo_pair):
    from insight.auth.access import RowScope

    duck, other = demo_pair
    east = RowScope.parse(["region=East"])
    expected = page_view(duck, "channels", east)
    assert expected.kpis["orders"].value < page_view(duck, "channels").kpis["orders"].value, "the scope limits rows"
    assert_same_view(expected, page_view(other, "channels", east))


# --- ties: several orders of a customer at the same moment, through different channels ---------

CHANNELS = ("App", "Store", "Web", "Phone")


def _tied_orders(seed: int) -> pd.DataFrame:
    """Orders where most customers place two or three orders at the very same second through
    different channels, so "first channel" and "latest channel" have ties to break."""
    rng = random.Random(seed)
    rows = []
    for c in range(1, 61):
        for moment in sorted(rng.sample(range(0, 400 * 86400, 3600), rng.randint(1, 4))):
            at = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=moment)
            for channel in rng.sample(CHANNELS, rng.choice((1, 2, 2, 3))):
                rows.append(
                    {
                        "order_id": f"O{len(rows) + 1}",
                        "customer_id": f"C{c:03d}",
                        "order_date": at.isoformat(sep=" "),
                        "channel": channel,
                        "revenue": round(rng.uniform(5, 300), 2),
                        "region": rng.choice(("East", "West")),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def tied_pair(tmp_path_factory, spark_session):
    orders = _tied_orders(23)
    path = tmp_path_factory.mktemp("ties-data") / "orders.csv"
    orders.to_csv(path, index=False)
    duck, other = _pair(tmp_path_factory, "spark-ties", lambda w: import_file(w, path, "orders"))
    spark.attach(other, spark_session)
    yield orders, duck, other
    duck.close()
    other.close()


def test_tied_orders_give_one_first_and_latest_channel_on_both_engines(tied_pair):
    orders, duck, other = tied_pair
    orders = orders.assign(order_date=pd.to_datetime(orders["order_date"]))
    at_first = orders.groupby("customer_id")["order_date"].transform("min") == orders["order_date"]
    assert (orders[at_first].groupby("customer_id")["channel"].nunique() > 1).sum() >= 10, "ties were generated"
    link = "channels?from=2024-01-01&to=2025-12-31"
    expected = page_view(duck, link)
    assert_same_view(expected, page_view(other, link))
    # against pandas: ties go to the smallest channel first and the largest channel latest
    first = orders[at_first].groupby("customer_id")["channel"].min()
    at_last = orders.groupby("customer_id")["order_date"].transform("max") == orders["order_date"]
    latest = orders[at_last].groupby("customer_id")["channel"].max()
    pairs = pd.DataFrame({"first_channel": first, "latest_channel": latest})
    want = pairs.value_counts().rename("customers").reset_index()
    got = expected.migration
    key = ["first_channel", "latest_channel"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        want.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    assert_same_view(
        page_view(duck, "churn?churn=behavioural&days=30&tab=survival"),
        page_view(other, "churn?churn=behavioural&days=30&tab=survival"),
    )


# --- models: fitted in scikit-learn on the same sample pulled from either engine ----------------


#: Each model's view and the table only its model makes.
MODEL_VIEWS = {"segments?tab=clusters": "clusters", "churn?tab=risk": "at_risk", "complaints?tab=text": "text_model"}


@pytest.mark.parametrize("link", MODEL_VIEWS)
def test_model_views_are_the_same_on_spark(demo_pair, monkeypatch, link):
    """The churn model learns from a sample of customers taken in the engine (bounded here below
    the demo's customers, so it samples): both engines pick the same customers, so the fitted
    models (each engine's fitted anew), their lists and the clusters and text groups are the same."""
    from insight import settings

    monkeypatch.setattr(settings, "CHURN_SAMPLE_CUSTOMERS", 250)
    duck, other = demo_pair
    expected = page_view(duck, link)
    assert len(expected.tables()[MODEL_VIEWS[link]]) > 0, "the model's view has figures"
    if link.startswith("churn"):
        assert any("250 of 400" in str(n) for n in expected.notes), "the model sampled in the engine"
    churn_model.learn.cache_clear()  # (kept by the frames' content: Spark's model is fitted again)
    assert_same_view(expected, page_view(other, link))


# --- Spark Connect: a client session reaching the server over gRPC ------------------------------


@pytest.fixture(scope="module")
def connect_ws(demo_pair, spark_session):
    """The demo read through Spark Connect: the Connect server runs in the test's own Spark (one
    JVM, started on its SparkContext), the client speaks gRPC to it as to a cluster."""
    service = spark_session._jvm.org.apache.spark.sql.connect.service.SparkConnectService
    service.start(spark_session._jsc.sc())
    port = spark_session.sparkContext.getConf().get("spark.connect.grpc.binding.port", "15002")
    ws = Workspace(demo_pair[0].path.parent / "connect.duckdb")
    remote = spark.connect(f"sc://localhost:{port}")
    spark.attach(ws, remote)
    yield ws
    ws.close()
    remote.stop()  # (the server stops with the test run's Spark)


def test_a_page_through_spark_connect_is_the_same(demo_pair, connect_ws):
    from pyspark.sql.connect.session import SparkSession as RemoteSession

    assert isinstance(connect_ws.engine.spark, RemoteSession), "the client is a Spark Connect session"
    link = "channels?cmp=yoy"
    assert_same_view(page_view(demo_pair[0], link), page_view(connect_ws, link))
