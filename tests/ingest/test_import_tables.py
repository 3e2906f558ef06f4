"""Every table imports without the ids it does not need, keyed tables stay one row per key, and the
import says how its customer ids match the other tables; each figure checked against pandas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from insight.ingest.importer import import_file
from insight.views.views import PAGES, page_view
from tests.corpus import _marketing_wide
from tests.test_cli import cli
from tests.ui.test_app import app as open_app
from tests.ui.test_app import clean_caches  # noqa: F401  (AppTest caches cleared around each test)

ALL_TIME = "from=2020-01-01&to=2030-12-31&cmp=none"


def orders(n=300, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "customer_id": [f"C{int(i):03d}" for i in rng.integers(0, 50, n)],
            "order_date": (pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")).astype(str),
            "amount": rng.integers(100, 50_000, n) / 100,
            "channel": rng.choice(["App", "Store", "Online"], n),
        }
    )


def kpis(ws, page="overview", query=ALL_TIME) -> dict:
    return page_view(ws, f"{page}?{query}").to_dict()["kpis"]


def test_orders_without_an_order_number_count_each_row(ws, tmp_path):
    frame = orders().drop(columns=["order_id"])
    frame.loc[frame.index % 10 == 0, "amount"] *= -1  # returns
    path = tmp_path / "pos.csv"
    frame.to_csv(path, index=False)
    result = import_file(ws, path, "orders")
    assert [str(c) for c in result.choices] == ["No order number: each row is one order."]
    valid = frame[frame["amount"] >= 0]
    got = kpis(ws)
    assert got["revenue"] == pytest.approx(valid["amount"].sum())
    assert got["orders"] == len(valid)
    assert got["active_customers"] == valid["customer_id"].nunique()


def test_guest_orders_count_in_revenue_not_in_customers(ws, tmp_path):
    frame = orders()
    frame.loc[frame.index % 3 == 0, "customer_id"] = None
    path = tmp_path / "web.csv"
    frame.to_csv(path, index=False)
    result = import_file(ws, path, "orders")
    guests = int(frame["customer_id"].isna().sum())
    assert f"{guests} orders ({guests / len(frame):.0%}) have no customer id" in " ".join(map(str, result.warnings))
    got = kpis(ws)
    assert got["revenue"] == pytest.approx(frame["amount"].sum())
    assert got["orders"] == len(frame)
    assert got["active_customers"] == frame["customer_id"].nunique()


def test_orders_with_no_customer_column_at_all(ws, tmp_path):
    frame = orders().drop(columns=["customer_id"])
    path = tmp_path / "till.csv"
    frame.to_csv(path, index=False)
    result = import_file(ws, path, "orders")
    assert any("No customer id" in str(c) for c in result.choices)
    got = kpis(ws)
    assert got["revenue"] == pytest.approx(frame["amount"].sum()) and got["orders"] == len(frame)


def test_a_contact_log_without_customer_or_campaign_ids(ws, tmp_path):
    rng = np.random.default_rng(8)
    n = 500
    log = pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "job": rng.choice(["admin.", "services", "retired"], n),
            "contact": rng.choice(["cellular", "telephone"], n, p=[0.6, 0.4]),
            "month": rng.choice(["may", "jun"], n),
            "y": rng.choice(["yes", "no"], n, p=[0.12, 0.88]),
        }
    )
    path = tmp_path / "bank.csv"
    log.to_csv(path, index=False, sep=";")
    result = import_file(ws, path, "contacts", campaign="Q2 calls")
    assert result.rows_loaded == n
    contacts = ws.query("SELECT * FROM contacts")
    assert contacts["customer_id"].nunique() == n and contacts["customer_id_generated"].all()
    campaigns = page_view(ws, f"campaigns?{ALL_TIME}").campaigns.set_index("campaign_id")
    assert list(campaigns.index) == ["Q2 calls"]
    assert campaigns.loc["Q2 calls", "contacted"] == n
    assert campaigns.loc["Q2 calls", "converted"] == (log["y"] == "yes").sum()
    funnel = page_view(ws, f"campaigns?{ALL_TIME}").funnel_channel.set_index("value")
    for channel, part in log.groupby("contact"):
        assert funnel.loc[channel, "converted"] == (part["y"] == "yes").sum()


def test_a_contact_log_with_campaigns_but_no_customer_ids(ws, tmp_path):
    rng = np.random.default_rng(2)
    log = pd.DataFrame({"Campaign Code": rng.choice(["SPRING", "AUTUMN"], 200), "Outcome": rng.choice(["1", "0"], 200)})
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    result = import_file(ws, path, "contacts")
    assert result.mapping == {"campaign_id": "Campaign Code", "converted": "Outcome"}
    got = ws.query("SELECT campaign_id, count(*) AS n, sum(CAST(converted AS INT)) AS c FROM contacts GROUP BY 1")
    expected = log.groupby("Campaign Code")["Outcome"].agg(n="size", c=lambda s: (s == "1").sum())
    assert got.set_index("campaign_id").sort_index().to_dict() == expected.sort_index().to_dict()


def test_wide_files_on_the_command_line(tmp_path):
    path, expected = _marketing_wide(tmp_path)
    frame = pd.read_csv(path, sep="\t")
    auto = cli("import", str(path), "--as", "contacts", "--json", workspace=tmp_path / "a.duckdb")
    assert auto.returncode == 0, auto.stderr
    report = json.loads(auto.stdout)
    assert report["rows_loaded"] == 6 * len(frame)  # AcceptedCmp1-5 and Response; not Complain
    assert "0/1 columns left out as attributes: Complain" in report["derived"][0]
    off = json.loads(
        cli("import", str(path), "--as", "contacts", "--wide", "off", "--json", workspace=tmp_path / "b.duckdb").stdout
    )
    assert off["rows_loaded"] == len(frame) and "campaign_id" not in off["mapping"]
    named = cli(
        "import",
        str(path),
        "--as",
        "contacts",
        "--wide",
        "AcceptedCmp1,Complain",
        "--json",
        workspace=tmp_path / "c.duckdb",
    )
    chosen = json.loads(named.stdout)
    assert chosen["rows_loaded"] == 2 * len(frame)
    human = cli("import", str(path), "--as", "contacts", workspace=tmp_path / "d.duckdb")
    assert "customer_id <- 'ID' (wide" in human.stdout and "Complain" in human.stdout


def test_duplicate_customer_ids_never_fan_out_into_revenue(ws, tmp_path):
    sales = orders()
    sales.to_csv(tmp_path / "orders.csv", index=False)
    import_file(ws, tmp_path / "orders.csv", "orders")
    ids = sorted(sales["customer_id"].unique())
    customers = pd.DataFrame({"customer_id": ids, "segment": "Consumer"})
    repeated = customers.head(10).assign(segment="SMB")  # later rows with the same ids
    pd.concat([customers, repeated]).to_csv(tmp_path / "customers.csv", index=False)
    result = import_file(ws, tmp_path / "customers.csv", "customers")
    assert result.superseded == 10 and result.rows_loaded == len(ids)
    assert "one row per customer_id, the last one in the file is kept" in " ".join(map(str, result.warnings))
    total = sales["amount"].sum()
    assert kpis(ws)["revenue"] == pytest.approx(total)
    smb = sales[sales["customer_id"].isin(ids[:10])]["amount"].sum()
    assert kpis(ws, query=f"{ALL_TIME}&segment=SMB")["revenue"] == pytest.approx(smb)

    # Append 500-style: customers already there come again, with a new segment: replaced, not added.
    again = pd.DataFrame({"customer_id": ids[:20], "segment": "Enterprise"})
    again.to_csv(tmp_path / "more.csv", index=False)
    appended = import_file(ws, tmp_path / "more.csv", "customers", mode="append")
    assert appended.replaced == 20
    assert ws.scalar("SELECT count(*) FROM customers") == len(ids)
    assert kpis(ws)["revenue"] == pytest.approx(total)
    enterprise = sales[sales["customer_id"].isin(ids[:20])]["amount"].sum()
    assert kpis(ws, query=f"{ALL_TIME}&segment=Enterprise")["revenue"] == pytest.approx(enterprise)


def test_the_import_reports_how_customer_ids_match_the_other_tables(ws, tmp_path):
    sales = orders()
    sales.to_csv(tmp_path / "orders.csv", index=False)
    import_file(ws, tmp_path / "orders.csv", "orders")
    ids = sorted(sales["customer_id"].unique())
    other = pd.DataFrame({"客户编号": [f"M{i}" for i in range(2240)]})
    other.to_csv(tmp_path / "members.csv", index=False)
    result = import_file(ws, tmp_path / "members.csv", "customers")
    assert result.coverage == [{"table": "orders", "matched": 0, "ids": 2240}]
    warning = " ".join(map(str, result.warnings))
    assert "only 0 of 2,240 customer ids in this file (0%) appear in orders" in warning
    assert "'M0' here, 'C000' there" in warning
    half = pd.DataFrame({"customer_id": ids[: len(ids) * 3 // 5] + [f"N{i}" for i in range(10)]})
    half.to_csv(tmp_path / "half.csv", index=False)
    result = import_file(ws, tmp_path / "half.csv", "customers")
    matched = len(ids) * 3 // 5
    assert result.coverage == [{"table": "orders", "matched": matched, "ids": matched + 10}]
    assert not any("appear in" in str(w) for w in result.warnings)
    # The orders side: how many of its customer ids the customers table knows.
    again = import_file(ws, tmp_path / "orders.csv", "orders")
    assert again.coverage == [{"table": "customers", "matched": matched, "ids": len(ids)}]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_in_the_app_after_odd_imports(page, ws, tmp_path, monkeypatch):
    """Orders with neither order number nor customer id, and a contact log without ids: every page
    of the real app runs on them (AppTest), with no exception."""
    frame = orders().drop(columns=["order_id", "customer_id"])
    frame.to_csv(tmp_path / "till.csv", index=False)
    import_file(ws, tmp_path / "till.csv", "orders")
    # (With a control group: the Campaigns page without one is issue 14's, listed there.)
    log = pd.DataFrame(
        {
            "contact": ["cellular", "telephone"] * 20,
            "y": ["yes", "no", "no", "no"] * 10,
            "group": ["treatment", "control"] * 20,
        }
    )
    log.to_csv(tmp_path / "calls.csv", index=False)
    import_file(ws, tmp_path / "calls.csv", "contacts")
    at = open_app(ws, monkeypatch, page)
    assert at.title[0].value and not at.exception
