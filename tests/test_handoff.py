"""Imports while the app serves: the CLI finds the workspace held by the serving app and hands its
command over (insight/handoff.py); pages keep working during the import and show the new version
once it is published. A real server, real CLI processes, a real browser."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client

import pytest
from playwright.sync_api import expect

from insight.handoff import address_file
from tests.browser_support import IDLE, ROOT, Server, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def cli(*args, workspace, stdin=None, wait=True, cwd=ROOT):
    cmd = [sys.executable, "-m", "insight", "--workspace", str(workspace), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not wait:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, input=stdin)


@pytest.fixture(scope="module")
def serving(demo_file, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("handoff")
    path = tmp / "ws.duckdb"
    shutil.copy(demo_file, path)
    server = Server(path, tmp / "streamlit.log", entry=("insight.serve",))
    yield server, path
    server.stop()


def test_a_cli_import_while_the_app_serves_shows_in_the_app(serving, browser, demo_raw, tmp_path):
    server, path = serving
    where = address_file(path)
    assert stat.S_IMODE(where.stat().st_mode) == 0o600  # the key is for the workspace's owner only
    before = json.loads(cli("datasets", "--json", workspace=path).stdout)["datasets"]
    version = max(d["version"] for d in before)

    orders = demo_raw["orders"].sample(n=40_000, random_state=7)
    orders = orders.assign(order_id=[f"NEW-{i}" for i in range(len(orders))])
    file = tmp_path / "nightly_orders.csv"
    orders.to_csv(file, index=False)

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server.url}/overview")
    wait_idle(page)
    # a path relative to the CLI's own directory: the app reads the same file
    importing = cli("import", file.name, "--as", "orders", "--json", workspace=path, wait=False, cwd=tmp_path)
    page.reload()  # a session keeps working while the import runs
    page.wait_for_selector(IDLE, timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    result = json.loads(out)
    assert result["version"] == version + 1 and result["rows_loaded"] == len(orders)

    page.goto(f"{server.url}/data")  # the app shows the new version
    wait_idle(page)
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("nightly_orders.csv")
    expect(table).to_contain_text(f"{len(orders):,}")
    page.close()
    after = json.loads(cli("datasets", "--json", workspace=path).stdout)["datasets"]
    assert {d["table"]: d["version"] for d in after}["orders"] == version + 1


def test_every_command_goes_through_the_app_with_its_errors_and_input(serving):
    _, path = serving
    added = cli("users", "add", "ana", "--role", "viewer", "--password-stdin", "--json",
                workspace=path, stdin="a long enough password\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = json.loads(cli("users", "list", "--json", workspace=path).stdout)["users"]
    assert "ana" in [u["name"] for u in listed]
    due = cli("schedule", "run-due", "--json", workspace=path)  # cron while the app serves
    assert due.returncode == 0 and json.loads(due.stdout) == {"ran": []}
    missing = cli("import", "no_such_file.csv", "--as", "orders", workspace=path)
    assert missing.returncode == 2 and "no_such_file.csv" in missing.stderr and "Traceback" not in missing.stderr


def test_a_connection_without_the_key_is_refused_and_the_app_keeps_serving(serving):
    _, path = serving
    port = json.loads(address_file(path).read_text())["port"]
    with pytest.raises(AuthenticationError):
        Client(("127.0.0.1", port), authkey=b"not the key")
    time.sleep(0.2)
    assert cli("datasets", "--json", workspace=path).returncode == 0


def test_a_held_workspace_without_a_serving_app_is_still_refused(demo_file, tmp_path):
    from insight.db.workspace import Workspace

    path = tmp_path / "ws.duckdb"
    shutil.copy(demo_file, path)
    held = Workspace(path)  # another CLI run: it listens for nothing
    try:
        blocked = cli("datasets", workspace=path)
        assert blocked.returncode == 2 and "cannot be opened" in blocked.stderr
    finally:
        held.close()


def test_the_load_client_drives_the_real_server_while_a_cron_import_runs(demo_file, demo_raw, tmp_path):
    """`bench --sessions`: sessions speaking Streamlit's websocket protocol get every page drawn
    without an error while an import is handed to the same server."""
    from insight.bench import FILTER_CHANGES
    from insight.bench_load import bench_load
    from insight.db.workspace import Workspace

    path = tmp_path / "ws.duckdb"
    shutil.copy(demo_file, path)
    batch = tmp_path / "batch.csv"
    orders = demo_raw["orders"].head(500)
    orders.assign(order_id="B" + orders["order_id"].astype(str)).to_csv(batch, index=False)
    load = bench_load(path, sessions=2, views=3, queries=FILTER_CHANGES, batch=batch)
    assert load["views"] == 6 and load["errors"] == 0 and load["import"]["ok"], load
    assert 0 < load["server_cpu_s_per_view"] and 0 < load["server_cores_used"] <= (os.cpu_count() or 1), load
    ws = Workspace(path)
    try:
        assert ws.query("SELECT count(*) AS n FROM orders")["n"][0] == len(demo_raw["orders"]) + len(orders)
    finally:
        ws.close()
