"""The CLI of SPEC §4, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import RETAIL, ROOT, TELCO, TICKETS


def cli(*args, workspace, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "insight", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )


def view_json(ws, link: str) -> dict:
    """The CLI `view` of a link, as JSON (the workspace is closed first: one process at a time)."""
    path = ws.path
    ws.close()
    out = cli("view", link, "--json", workspace=path)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_import_the_three_shared_files_and_view(tmp_path):
    ws = tmp_path / "cli.duckdb"
    out = cli("import", str(RETAIL), "--as", "orders", "--json", workspace=ws)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) >= {
        "table",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rejects",
        "mapping",
        "unmapped",
        "version",
    }
    assert result["rows_loaded"] == 30_000 and result["mapping"]["unit_price"] == "UnitPrice"
    for path, table in ((TELCO, "customers"), (TICKETS, "tickets")):
        assert cli("import", str(path), "--as", table, "--json", workspace=ws).returncode == 0

    view = json.loads(
        cli("view", "overview?from=2011-01-01&to=2011-06-30&region=Germany", "--json", workspace=ws).stdout
    )
    raw = pd.read_csv(RETAIL, parse_dates=["InvoiceDate"])
    sel = raw[
        (raw.InvoiceDate >= "2011-01-01")
        & (raw.InvoiceDate < "2011-07-01")
        & (raw.Country == "Germany")
        & (raw.Quantity >= 0)
    ]
    assert view["page"] == "overview" and view["filters"]["region"] == ["Germany"]
    assert view["kpis"]["revenue"] == pytest.approx((sel.Quantity * sel.UnitPrice).round(2).sum())
    assert view["kpis"]["orders"] == sel.InvoiceNo.nunique()
    telco = pd.read_csv(TELCO)
    # Churn is a state of the customers table, so the Germany filter on orders does not restrict it.
    assert view["kpis"]["churn_rate"] == pytest.approx((telco.Churn == "Yes").mean())


def test_map_with_spaces_and_unmapping(tmp_path):
    csv = tmp_path / "complaints.csv"
    csv.write_text(
        "Complaint ID,Date received,Issue,Product\n1,2024-03-01,Billing dispute,Card\n2,2024-03-02,Fees,Loan\n"
    )
    ws = tmp_path / "m.duckdb"
    out = cli(
        "import",
        str(csv),
        "--as",
        "tickets",
        "--map",
        "created_at=Date received",
        "--map",
        "category=Issue",
        "--json",
        workspace=ws,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["mapping"]["created_at"] == "Date received" and result["mapping"]["category"] == "Issue"
    assert "Product" in result["unmapped"]


def test_errors_go_to_stderr_with_a_nonzero_exit(tmp_path):
    bad = tmp_path / "nodate.csv"
    bad.write_text("order_id,order_date,amount\n1,never,3\n")
    out = cli("import", str(bad), "--as", "orders", "--json", workspace=tmp_path / "e.duckdb")
    assert out.returncode == 2 and out.stdout == ""
    assert "nodate.csv" in out.stderr and "order_date" in out.stderr and "no date can be read" in out.stderr
    out = cli("view", "nowhere?x=1", workspace=tmp_path / "e.duckdb")
    assert out.returncode == 2 and "unknown page 'nowhere'" in out.stderr


def test_demo_is_deterministic(tmp_path):
    a = json.loads(
        cli("demo", "--customers", "300", "--orders", "3000", "--json", workspace=tmp_path / "a.duckdb").stdout
    )
    b = json.loads(
        cli("demo", "--customers", "300", "--orders", "3000", "--json", workspace=tmp_path / "b.duckdb").stdout
    )
    assert a["tables"] == b["tables"] and a["tables"]["orders"] == 3000
    va = json.loads(cli("view", "overview", "--json", workspace=tmp_path / "a.duckdb").stdout)
    vb = json.loads(cli("view", "overview", "--json", workspace=tmp_path / "b.duckdb").stdout)
    assert va["kpis"] == vb["kpis"]


def test_view_channels_matches_the_page_functions(tmp_path):
    ws = tmp_path / "ch.duckdb"
    assert cli("demo", "--customers", "800", "--orders", "8000", "--json", workspace=ws).returncode == 0
    out = cli("view", "http://localhost:8501/channels?region=East&cmp=yoy", "--json", workspace=ws)
    assert out.returncode == 0, out.stderr
    view = json.loads(out.stdout)
    assert view["page"] == "channels" and set(view["kpis"]) == {"revenue", "orders", "active_customers", "aov"}
    over = pd.DataFrame(view["tables"]["over_time"])
    assert over["revenue"].sum() == pytest.approx(view["kpis"]["revenue"])
    assert {"channel_region", "channel_segment", "acquisition", "migration", "service", "roles"} <= set(view["tables"])
    overview = json.loads(cli("view", "overview?region=East&cmp=yoy", "--json", workspace=ws).stdout)
    assert overview["kpis"]["revenue"] == view["kpis"]["revenue"]
    assert {"series", "moved_revenue", "moved_complaints", "alerts"} <= set(overview["tables"])
