"""The three real files in tests/data import with no manual mapping, checked against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.ingest.importer import import_file
from tests.conftest import RETAIL, TELCO, TICKETS


def test_online_retail_derives_amount_and_excludes_cancellations(ws):
    result = import_file(ws, RETAIL, "orders")
    raw = pd.read_csv(RETAIL, dtype={"InvoiceNo": str, "CustomerID": str})

    assert result.rows_read == len(raw) == 30_000
    assert result.rows_loaded == 30_000 and result.rows_rejected == 0
    assert [str(d) for d in result.derived] == ["amount = quantity × unit_price"]
    assert result.mapping["order_id"] == "InvoiceNo" and result.mapping["region"] == "Country"
    assert result.unmapped == ["StockCode"]
    assert result.duplicate_rows == int(raw.duplicated().sum()) == 25

    valid = raw[raw["Quantity"] >= 0]
    expected_revenue = (valid["Quantity"] * valid["UnitPrice"]).round(2).sum()
    revenue = ws.scalar("SELECT sum(amount) FROM orders WHERE status NOT IN ('cancelled', 'returned')")
    assert revenue == pytest.approx(expected_revenue, rel=1e-9)

    counts = ws.query("SELECT status, count(*) AS n FROM orders GROUP BY 1").set_index("status")["n"]
    assert counts["cancelled"] == raw["InvoiceNo"].str.startswith("C").sum() == 620
    assert counts["returned"] == ((raw["Quantity"] < 0) & ~raw["InvoiceNo"].str.startswith("C")).sum()

    # CustomerID is written as a float (12923.0): it becomes the key "12923"; blanks stay NULL.
    ids = ws.query("SELECT DISTINCT customer_id FROM orders WHERE customer_id IS NOT NULL")["customer_id"]
    expected_ids = set(raw["CustomerID"].dropna().str.replace(r"\.0$", "", regex=True))
    assert set(ids) == expected_ids
    assert ws.scalar("SELECT count(*) FROM orders WHERE customer_id IS NULL") == raw["CustomerID"].isna().sum()
    assert str(ws.scalar("SELECT min(order_date) FROM orders")) == "2010-12-01 08:34:00"
    # Unmapped columns are kept as extra attributes.
    assert "StockCode" in ws.columns("orders")


def test_telco_maps_churn_and_keeps_every_extra_column(ws):
    result = import_file(ws, TELCO, "customers")
    raw = pd.read_csv(TELCO)

    assert result.rows_loaded == len(raw) == 7043 and result.rows_rejected == 0
    assert result.mapping == {
        "customer_id": "customerID",
        "gender": "gender",
        "contract": "Contract",
        "tenure_months": "tenure",
        "monthly_charges": "MonthlyCharges",
        "churned": "Churn",
    }
    churned = ws.scalar("SELECT avg(CAST(churned AS DOUBLE)) FROM customers")
    assert churned == pytest.approx((raw["Churn"] == "Yes").mean())
    by_contract = ws.query("SELECT contract, count(*) AS n FROM customers GROUP BY 1").set_index("contract")["n"]
    assert by_contract.to_dict() == raw["Contract"].value_counts().to_dict()
    cols = ws.columns("customers")
    for extra in ("PaymentMethod", "InternetService", "TotalCharges", "SeniorCitizen"):
        assert extra in cols
    # TotalCharges holds " " for 11 new customers: a number column with 11 blanks.
    total = ws.scalar("SELECT sum(TotalCharges) FROM customers")
    assert total == pytest.approx(pd.to_numeric(raw["TotalCharges"], errors="coerce").sum())
    assert ws.scalar("SELECT count(*) FROM customers WHERE TotalCharges IS NULL") == 11


def test_support_tickets_load_every_row_and_say_what_is_missing(ws):
    result = import_file(ws, TICKETS, "tickets")
    raw = pd.read_csv(TICKETS)

    assert result.rows_read == len(raw) == 8469
    assert result.rows_loaded == 8469 and result.rows_rejected == 0
    assert result.mapping["category"] == "Ticket Type"
    assert result.mapping["satisfaction"] == "Customer Satisfaction Rating"
    assert "created_at" not in result.mapping  # the file has no creation time ...
    assert any("no ticket creation time" in str(w) for w in result.warnings)  # ... and the import says so
    by_channel = ws.query("SELECT channel, count(*) AS n FROM tickets GROUP BY 1").set_index("channel")["n"]
    assert by_channel.to_dict() == raw["Ticket Channel"].value_counts().to_dict()
    csat = ws.query("SELECT channel, avg(satisfaction) AS s FROM tickets GROUP BY 1").set_index("channel")["s"]
    expected = raw.groupby("Ticket Channel")["Customer Satisfaction Rating"].mean()
    np.testing.assert_allclose(csat.sort_index().to_numpy(), expected.sort_index().to_numpy())
    # Multi-line descriptions survive intact.
    first = ws.scalar("SELECT text FROM tickets WHERE ticket_id = '1'")
    assert first == raw.loc[raw["Ticket ID"] == 1, "Ticket Description"].iloc[0].strip()
