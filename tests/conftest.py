"""Shared fixtures: real workspaces on disk, the sample data files (tests/data), and the demo workspace."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from insight.db.workspace import Workspace
    from tests import shapes

# The fixtures import what they use (pandas, DuckDB, the mail servers) when they first run: the
# process that only hands tests to the xdist workers loads this file too, and runs none of them.

# `make test` runs two xdist workers on two cores: one OpenMP thread each (scikit-learn's gradient
# boosting and k-means) instead of two per worker, which spin against each other and ran the model
# tests several times slower. Set before scikit-learn starts its thread pool.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
#: Real exports carried by the repository (each folder has its SOURCE.md), so a fresh clone tests on its own.
DATA = ROOT / "tests" / "data"
RETAIL = DATA / "online_retail" / "OnlineRetail.csv"
TELCO = DATA / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
TICKETS = DATA / "support_tickets" / "customer_support_tickets.csv"

#: The app's own report scheduler (insight/reports/runner.py) stays off in tests (and in the
#: servers they start), unless a test turns it on.
os.environ.setdefault("INSIGHT_SCHEDULER", "0")
#: Nor do they warm the page cache at start (insight/serve.py), unless a test does it itself.
os.environ.setdefault("INSIGHT_WARM", "0")


def pytest_collection_finish(session):
    """Sweep for reference cycles less often, and never again over what is loaded by now
    (gc.freeze). With the default thresholds (700, 10, 10) a worker of the shape matrix spent
    about 2 s of CPU in the cycle collector, most of it in whole-heap sweeps over the same
    long-lived objects (Streamlit, pandas, Plotly, scikit-learn); cycles are still collected."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


#: Small enough for a quick build, big enough for every story in the demo to show.
DEMO_SIZE = {"customers": 3000, "orders": 60000, "seed": 7}


@pytest.fixture
def ws(tmp_path) -> Workspace:
    from insight.db.workspace import Workspace

    w = Workspace(tmp_path / "ws.duckdb")
    yield w
    w.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo workspace built once per test session; tests copy it before writing."""
    from insight.db.workspace import Workspace
    from insight.demo_workspace import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    w = Workspace(path)
    build_demo(w, **DEMO_SIZE)
    w.close()
    return path


@pytest.fixture
def demo_ws(demo_file, tmp_path) -> Workspace:
    from insight.db.workspace import Workspace

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    w = Workspace(path)
    yield w
    w.close()


@pytest.fixture(scope="session")
def demo_raw(demo_file) -> dict:
    """The demo's orders, customers and tickets as plain DataFrames, for pandas to check against."""
    import duckdb

    con = duckdb.connect(str(demo_file), read_only=True)
    out = {t: con.sql(f"SELECT * FROM {t}").df() for t in ("orders", "customers", "tickets")}
    con.close()
    return out


@pytest.fixture(scope="session")
def shape_base() -> shapes.Frames:
    """The shapes' base: a slice of the demo's tables as generated (the demo workspace's own,
    without publishing 60,000 orders to read a fifteenth of them back)."""
    from insight import demo
    from tests import shapes

    return shapes.base_frames(demo.generate(**DEMO_SIZE))


@pytest.fixture(scope="session")
def shape_ws(shape_base, tmp_path_factory):
    """Each shape's workspace, built on first use and kept for the session (the tests of one shape
    share an xdist group, so each is built once)."""
    from tests import shapes

    root = tmp_path_factory.mktemp("shapes")
    built: dict = {}

    def get(name: str):
        if name not in built:
            built[name] = shapes.build(shapes.BY_NAME[name], shape_base, root / f"{name}.duckdb")
        return built[name]

    yield get
    for w in built.values():
        w.close()


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    """A real `streamlit run` of the app on a copy of the demo workspace, one per browser test module."""
    from tests.browser_support import demo_server

    srv = demo_server(demo_file, tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (installed by `make test`, never downloaded)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, SignedInBrowser

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield SignedInBrowser(b)
        b.close()


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole run (two cores, two shuffle partitions: the Spark
    tests use small data). Its tests share the xdist group "spark", so one worker starts it."""
    from insight.db import spark

    os.environ.setdefault("INSIGHT_SPARK_MASTER", "local[2]")
    session = spark.session()
    session.conf.set("spark.sql.shuffle.partitions", "2")
    return session


@pytest.fixture
def smtp():
    """A local SMTP server (aiosmtpd) that keeps what it receives."""
    from tests.mail_support import SmtpServer

    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def hooks():
    """A local HTTP server that keeps the webhooks it receives."""
    from tests.mail_support import Hooks

    server = Hooks()
    yield server
    server.stop()
