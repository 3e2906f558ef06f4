"""Campaigns: the campaign table, attribution, uplift against control and the CLI, each checked
against an independent pandas computation written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.domain.test_churn import tables
from tests.test_cli import view_json

LINK = "campaigns?from=2025-01-01&to=2026-10-31"
Z = 1.959963984540054


def wald(c1: int, n1: int, c0: int, n0: int) -> tuple[float, float, float]:
    p1, p0 = c1 / n1, c0 / n0
    half = Z * np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return p1 - p0, p1 - p0 - half, p1 - p0 + half


def per_campaign(contacts: pd.DataFrame) -> pd.DataFrame:
    treat = contacts[contacts["group"] != "control"]
    control = contacts[contacts["group"] == "control"]
    out = treat.groupby("campaign_id").agg(
        contacted=("customer_id", "size"),
        responded=("responded", "sum"),
        converted=("converted", "sum"),
        revenue=("revenue", "sum"),
    )
    out["control"] = control.groupby("campaign_id").size()
    out["control_converted"] = control.groupby("campaign_id")["converted"].sum()
    return out.fillna(0)


def test_campaign_table_and_uplift_match_pandas(demo_ws, demo_file):
    import duckdb

    con = duckdb.connect(str(demo_file), read_only=True)
    contacts, campaigns = con.sql("SELECT * FROM contacts").df(), con.sql("SELECT * FROM campaigns").df()
    con.close()
    expected = per_campaign(contacts)
    got = tables(demo_ws, LINK)["campaigns"].set_index("campaign_id")
    spend = campaigns.set_index("campaign_id")["spend"]
    for cid, row in expected.iterrows():
        g = got.loc[cid]
        assert (g["contacted"], g["responded"], g["converted"]) == (
            row["contacted"],
            row["responded"],
            row["converted"],
        )
        assert g["attributed_revenue"] == pytest.approx(row["revenue"])
        assert g["roi"] == pytest.approx((row["revenue"] - spend[cid]) / spend[cid])
        diff, low, high = wald(row["converted"], row["contacted"], row["control_converted"], row["control"])
        assert (g["uplift"], g["uplift_low"], g["uplift_high"]) == (
            pytest.approx(diff),
            pytest.approx(low),
            pytest.approx(high),
        )
    # The demo's story: CMP01 has real uplift, CMP02 none.
    assert got.loc["CMP01", "verdict"] == "lift" and bool(got.loc["CMP01", "significant"])
    assert got.loc["CMP02", "verdict"] == "no_evidence" and not got.loc["CMP02", "significant"]
    assert wald(*expected.loc["CMP01", ["converted", "contacted", "control_converted", "control"]])[1] > 0
    assert got.loc["CMP06", "verdict"] == "small_control"  # 3 controls: no verdict either way


@pytest.mark.parametrize("days", [30, 7])
def test_attribution_window_without_contact_revenue(demo_ws, demo_raw, days):
    contacts = demo_ws.query("SELECT * FROM contacts").drop(columns=["revenue"])
    demo_ws.publish_frames({"contacts": contacts}, "no revenue")
    orders = demo_raw["orders"]
    valid = orders[~orders["status"].isin(["cancelled", "returned"])]
    treat = contacts[contacts["group"] != "control"]
    joined = treat.merge(valid[["customer_id", "order_date", "amount"]], on="customer_id")
    inside = joined[
        (joined["order_date"] >= joined["contacted_at"])
        & (joined["order_date"] < joined["contacted_at"] + pd.Timedelta(days=days))
    ]
    expected = inside.groupby("campaign_id")["amount"].sum()
    link = LINK + ("" if days == 30 else f"&win={days}")
    got = tables(demo_ws, link)["campaigns"].set_index("campaign_id")["attributed_revenue"]
    for cid, amount in expected.items():
        assert got[cid] == pytest.approx(amount)


def test_cli_view_campaigns(demo_ws):
    result = view_json(demo_ws, LINK + "&win=abc")
    assert {"response_rate", "conversion_rate", "roi", "uplift"} <= set(result["kpis"])
    assert {r["campaign_id"] for r in result["tables"]["campaigns"]} >= {"CMP01", "CMP02"}
    assert any("win='abc' ignored" in n["text"] and n["kind"] == "ignored" for n in result["notes"])


def test_a_wide_response_file_unpivots_into_contacts(ws, tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    wide = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(n)], "age": rng.integers(18, 80, n)})
    rates = {"promo_spring": 0.3, "promo_summer": 0.1, "last_offer": 0.5}
    for col, p in rates.items():
        wide[col] = np.where(rng.random(n) < p, "yes", "no")
    wide.loc[rng.random(n) < 0.2, "promo_summer"] = ""  # not contacted in that campaign
    wide["promo_spring"] = np.where(wide["promo_spring"] == "yes", "1", "0")  # 0/1 in one column
    path = tmp_path / "responses.csv"
    wide.to_csv(path, index=False)

    from insight.ingest.importer import import_file, preview

    assert preview(ws, path, "contacts").wide.campaigns == list(rates)  # age is not a campaign
    result = import_file(ws, path, "contacts", wide_columns=["auto"])
    contacted = {c: int((wide[c] != "").sum()) for c in rates}
    assert result.rows_loaded == sum(contacted.values()) and result.rows_rejected == 0
    assert any("unpivoted 3 campaign columns" in str(d) for d in result.derived)
    got = ws.query("SELECT campaign_id, count(*) AS n, avg(CAST(responded AS DOUBLE)) AS rate FROM contacts GROUP BY 1")
    got = got.set_index("campaign_id")
    for col in rates:
        answered = wide.loc[wide[col] != "", col].isin(["yes", "1"])
        assert got.loc[col, "n"] == contacted[col]
        assert got.loc[col, "rate"] == pytest.approx(answered.mean())
    # And the page reads them: response rates per campaign, no control group so no uplift.
    table = tables(ws, "campaigns")["campaigns"].set_index("campaign_id")
    assert table.loc["last_offer", "response_rate"] == pytest.approx(got.loc["last_offer", "rate"])
    assert (table["verdict"] == "no_control").all()


def test_contact_level_file_maps_channel_and_outcome(ws, tmp_path):
    rng = np.random.default_rng(5)
    n = 300
    raw = pd.DataFrame(
        {
            "campaign": rng.choice(["TD-1", "TD-2"], n),
            "client_id": [f"K{i:04d}" for i in range(n)],
            "contact": rng.choice(["cellular", "telephone"], n, p=[0.7, 0.3]),
            "y": rng.choice(["yes", "no"], n, p=[0.15, 0.85]),
        }
    )
    path = tmp_path / "bank_marketing.csv"
    raw.to_csv(path, index=False)
    from insight.ingest.importer import import_file

    result = import_file(ws, path, "contacts", overrides={"customer_id": "client_id"})
    assert result.mapping["channel"] == "contact" and result.mapping["converted"] == "y"
    funnel = tables(ws, "campaigns")["funnel_channel"].set_index("value")
    for channel, part in raw.groupby("contact"):
        assert funnel.loc[channel, "contacted"] == len(part)
        assert funnel.loc[channel, "converted"] == (part["y"] == "yes").sum()
