"""Every Overview KPI and its comparison, against an independent pandas computation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from insight.domain import channels, complaints, overview
from insight.ingest.importer import import_file
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import kpis
from tests.conftest import RETAIL

SLA = {"urgent": 4, "high": 24, "medium": 72, "low": 120}


def default_periods(last: pd.Timestamp, cmp: str):
    end = last.date()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    if cmp == "yoy":
        return (start, end), (start.replace(year=start.year - 1), end.replace(year=end.year - 1))
    days = (end - start).days + 1
    return (start, end), (start - dt.timedelta(days=days), start - dt.timedelta(days=1))


def within(series: pd.Series, period) -> pd.Series:
    return (series >= pd.Timestamp(period[0])) & (series < pd.Timestamp(period[1] + dt.timedelta(days=1)))


def expected_kpis(orders, customers, tickets, period) -> dict:
    o = orders[within(orders["order_date"], period) & ~orders["status"].isin(["cancelled", "returned"])]
    revenue, n_orders = o["amount"].sum(), o["order_id"].nunique()
    n_customers = customers["customer_id"].nunique()
    tk = tickets[within(tickets["created_at"], period)]
    complaints = int(tk["is_complaint"].fillna(True).sum())
    resolved = tk[tk["resolved_at"].notna() & (tk["resolved_at"] >= tk["created_at"])]
    sla = pd.to_timedelta(resolved["priority"].map(SLA).fillna(72), unit="h")
    due = resolved["due_at"].fillna(resolved["created_at"] + sla)
    return {
        "revenue": revenue,
        "orders": n_orders,
        "aov": revenue / n_orders,
        "active_customers": o["customer_id"].nunique(),
        "churn_rate": customers["churned"].sum() / n_customers,
        "complaints": complaints,
        "complaint_rate": complaints / n_customers * 1000,
        "on_time_rate": (resolved["resolved_at"] <= due).mean(),
        "csat": tk["satisfaction"].mean(),
    }


@pytest.mark.parametrize("cmp", ["prev", "yoy"])
def test_demo_kpis_and_comparison_with_filters(demo_ws, cmp):
    orders = demo_ws.query("SELECT * FROM orders")
    customers = demo_ws.query("SELECT * FROM customers")
    tickets = demo_ws.query("SELECT * FROM tickets")
    keep = customers[customers["segment"].isin(["SMB", "Consumer"]) & (customers["region"] == "East")]
    ids = set(keep["customer_id"])
    f_orders = orders[
        (orders["region"] == "East")
        & orders["customer_id"].isin(set(customers.loc[customers["segment"].isin(["SMB", "Consumer"]), "customer_id"]))
    ]
    f_tickets = tickets[tickets["customer_id"].isin(ids)]
    current, previous = default_periods(orders["order_date"].max(), cmp)

    f, _ = Filters.from_query(f"region=East&segment=SMB&segment=Consumer&cmp={cmp}")
    got = kpis(Scope.open(demo_ws, f))
    want_now = expected_kpis(f_orders, keep, f_tickets, current)
    want_before = expected_kpis(f_orders, keep, f_tickets, previous)
    for mid, kpi in got.items():
        assert kpi.value == pytest.approx(want_now[mid], rel=1e-9), mid
        if mid == "churn_rate":  # the churned flag is a state: no previous period, no fake +0.0 pts
            assert kpi.previous is None and kpi.change is None and kpi.note.key == "kpi.state"
            continue
        assert kpi.previous == pytest.approx(want_before[mid], rel=1e-9), mid
        assert kpi.change == pytest.approx(want_now[mid] - want_before[mid], rel=1e-9, abs=1e-9), mid


def test_online_retail_kpis_and_year_on_year(ws):
    import_file(ws, RETAIL, "orders")
    raw = pd.read_csv(RETAIL, dtype={"InvoiceNo": str}, parse_dates=["InvoiceDate"])
    raw = raw[raw["Quantity"] >= 0]
    raw["amount"] = (raw["Quantity"] * raw["UnitPrice"]).round(2)
    current, previous = default_periods(raw["InvoiceDate"].max(), "yoy")
    f, _ = Filters.from_query("cmp=yoy&region=United Kingdom&region=Germany")
    got = kpis(Scope.open(ws, f))
    sel = raw[raw["Country"].isin(["United Kingdom", "Germany"])]
    # The data starts on 2010-12-01, so the year before the default period is not in it: no
    # comparison (a fake one would show the whole year as growth), and the card says why.
    assert raw["InvoiceDate"].min() > pd.Timestamp(previous[0])
    for mid in ("revenue", "orders", "aov", "active_customers"):
        assert got[mid].previous is None and got[mid].change is None
        assert got[mid].note.key == "compare.before_data"
    # A quarter against the 92 days before it, both inside the data: compared.
    current, previous = (dt.date(2011, 7, 1), dt.date(2011, 9, 30)), (dt.date(2011, 3, 31), dt.date(2011, 6, 30))
    f, _ = Filters.from_query("from=2011-07-01&to=2011-09-30&region=United Kingdom&region=Germany")
    got = kpis(Scope.open(ws, f))
    for period, attr in ((current, "value"), (previous, "previous")):
        part = sel[within(sel["InvoiceDate"], period)]
        revenue, n = part["amount"].sum(), part["InvoiceNo"].nunique()
        assert getattr(got["revenue"], attr) == pytest.approx(revenue)
        assert getattr(got["orders"], attr) == n
        assert getattr(got["aov"], attr) == pytest.approx(revenue / n if n else np.nan, nan_ok=True)
        assert getattr(got["active_customers"], attr) == part["CustomerID"].dropna().nunique()
    # No tickets: that card says the table is missing rather than showing 0. No churned flag:
    # churn is behavioural (no order for 90 days; checked against pandas in test_churn.py).
    assert got["complaints"].value is None and not got["complaints"].available
    assert got["churn_rate"].available and 0 < got["churn_rate"].value < 1


def test_what_moved_parts_sum_to_the_total_change(demo_ws):
    scope = Scope.open(demo_ws, Filters.from_query("cmp=yoy")[0])
    total = kpis(scope, ("revenue", "complaints"))
    for metric_id in ("revenue", "complaints"):
        moved = overview.what_moved(scope)[metric_id]
        assert set(moved["dimension"]) == {
            "region",
            "channel",
            "segment",
        }  # tiers are computed per period, not a split here
        for _, part in moved.groupby("dimension"):
            assert part["change"].sum() == pytest.approx(total[metric_id].change)
            assert part["current"].sum() == pytest.approx(total[metric_id].value)


def test_channel_tables_match_pandas(demo_ws):
    orders = demo_ws.query("SELECT * FROM orders")
    scope = Scope.open(demo_ws, Filters())
    start, end = scope.period
    valid = orders[~orders["status"].isin(["cancelled", "returned"])]
    in_period = valid[within(valid["order_date"], (start, end))]
    over = channels.over_time(scope, "month")
    by_channel = over.groupby("channel")["revenue"].sum()
    expected = in_period.groupby("channel")["amount"].sum()
    np.testing.assert_allclose(by_channel.sort_index().to_numpy(), expected.sort_index().to_numpy())
    assert over.groupby("bucket")["revenue_share"].sum().round(9).eq(1).all()

    firsts = valid.sort_values("order_date").groupby("customer_id").first()
    new = firsts[within(firsts["order_date"], (start, end))]
    acq = channels.acquisition(scope, "month").groupby("channel")["new_customers"].sum()
    assert acq.to_dict() == new.groupby("channel").size().to_dict()

    latest = in_period.sort_values("order_date").groupby("customer_id").last()
    pairs = pd.DataFrame({"first_channel": firsts.loc[latest.index, "channel"], "latest_channel": latest["channel"]})
    expected_matrix = pairs.value_counts().sort_index()
    migration = channels.migration(scope).set_index(["first_channel", "latest_channel"])["customers"].sort_index()
    assert migration.to_dict() == expected_matrix.to_dict()


@pytest.mark.parametrize("query", ["channel=App", "region=East&channel=App&channel=Store", "category=Devices"])
def test_acquisition_under_filters_matches_pandas(demo_ws, query):
    """New customers per first channel: read from the customers' first orders kept apart, the same
    as over every order whatever the filters (a customer counts when their first order passes)."""
    from insight.db import facts

    orders = demo_ws.query("SELECT * FROM orders")
    filters = Filters.from_query(query)[0]
    scope = Scope.open(demo_ws, filters)
    assert scope.snap.has(facts.FIRST_ORDERS)
    start, end = scope.period
    valid = orders[~orders["status"].isin(["cancelled", "returned"]) & orders["customer_id"].notna()]
    first_at = valid.groupby("customer_id")["order_date"].transform("min")
    firsts = valid[valid["order_date"] == first_at]
    first_channel = firsts.sort_values(["order_date", "channel"]).groupby("customer_id")["channel"].first()
    for key, values in filters.dims:
        firsts = firsts[firsts[key].isin(values)]
    new = firsts[within(firsts["order_date"], (start, end))].drop_duplicates("customer_id")
    expected = new["customer_id"].map(first_channel).value_counts().to_dict()
    got = channels.acquisition(scope, "month").groupby("channel")["new_customers"].sum().to_dict()
    assert got == expected and sum(expected.values()) > 0


def test_overdue_alert_counts_open_complaints_past_due(demo_ws):
    tickets = demo_ws.query("SELECT * FROM tickets")
    as_of = tickets["created_at"].max()
    sla = pd.to_timedelta(tickets["priority"].map(SLA).fillna(72), unit="h")
    due = tickets["due_at"].fillna(tickets["created_at"] + sla)
    expected = tickets[tickets["resolved_at"].isna() & tickets["is_complaint"] & (due < as_of)]
    scope = Scope.open(demo_ws, Filters())
    got = complaints.overdue(scope, tiers=False, limit=None)
    assert got.count == len(got.rows) == len(expected) > 0
    assert set(got.rows["ticket_id"]) == set(expected["ticket_id"])
    # most urgent first, then longest overdue, then by ticket: the first rows of that order are shown
    level = expected["priority"].str.lower().map({"urgent": 0, "high": 1, "medium": 2, "low": 3}).fillna(2)
    ordered = expected.assign(_u=level, _h=(as_of - due[expected.index]).dt.total_seconds())
    ordered = ordered.sort_values(["_u", "_h", "ticket_id"], ascending=[True, False, True])
    assert list(got.rows["ticket_id"]) == list(ordered["ticket_id"])
    first = complaints.overdue(scope, tiers=False, limit=3)
    assert list(first.rows["ticket_id"]) == list(ordered["ticket_id"][:3])
    assert first.count == len(expected) and first.oldest_hours == pytest.approx(ordered["_h"].max() / 3600, abs=0.02)


@pytest.mark.parametrize("query", ["", "segment=SMB", "region=East&channel=App"])
def test_monthly_series_match_pandas(demo_ws, query):
    """Sparklines and trend: per-month revenue and active customers (flag-counted where exact)."""
    orders = demo_ws.query("SELECT * FROM orders")
    customers = demo_ws.query("SELECT customer_id, segment FROM customers")
    scope = Scope.open(demo_ws, Filters.from_query(query)[0])
    assert scope.period[0].day == 1  # the default period starts on a month boundary
    got = overview.series(scope, ("revenue", "active_customers"), "month")
    got = got[got["series"] == "current"].set_index("bucket")
    sel = orders[within(orders["order_date"], scope.period) & ~orders["status"].isin(["cancelled", "returned"])]
    if "segment" in query:
        sel = sel[sel["customer_id"].isin(customers.loc[customers["segment"] == "SMB", "customer_id"])]
    if "region" in query:
        sel = sel[(sel["region"] == "East") & (sel["channel"] == "App")]
    month = sel["order_date"].dt.to_period("M").dt.start_time.dt.date
    expected = sel.groupby(month).agg(revenue=("amount", "sum"), active_customers=("customer_id", "nunique"))
    np.testing.assert_allclose(got["revenue"].to_numpy(dtype=float), expected["revenue"].to_numpy())
    assert got["active_customers"].astype(int).tolist() == expected["active_customers"].tolist()


def test_a_channel_filter_keeps_the_customers_who_ordered_through_it(demo_ws):
    orders = demo_ws.query("SELECT * FROM orders")
    customers = demo_ws.query("SELECT * FROM customers")
    valid = orders[~orders["status"].isin(["cancelled", "returned"])]
    ids = set(valid.loc[valid["channel"].isin(["WeChat", "Partner"]), "customer_id"])
    kept = customers[customers["customer_id"].isin(ids)]
    got = kpis(Scope.open(demo_ws, Filters.from_query("channel=WeChat&channel=Partner")[0]), ("churn_rate",))
    assert got["churn_rate"].value == pytest.approx(kept["churned"].mean())


@pytest.mark.parametrize("query", ["", "region=East&segment=SMB", "product=Charger"])
def test_channel_crosstab_matches_pandas_from_rollup_or_fact(demo_ws, query):
    """The rollup serves region/segment/channel filters; a product filter falls back to the fact."""
    orders = demo_ws.query("SELECT * FROM orders")
    customers = demo_ws.query("SELECT customer_id, segment FROM customers")
    scope = Scope.open(demo_ws, Filters.from_query(query)[0])
    sel = orders[within(orders["order_date"], scope.period) & ~orders["status"].isin(["cancelled", "returned"])]
    sel = sel.merge(customers, on="customer_id", how="left")
    if "region" in query:
        sel = sel[(sel["region"] == "East") & (sel["segment"] == "SMB")]
    if "product" in query:
        sel = sel[sel["product"] == "Charger"]
    found = channels.crosstabs(scope, ("region", "segment"))  # (one scan for both)
    for dim in ("region", "segment"):
        got = found[dim].set_index(["channel", dim])["revenue"].sort_index()
        expected = sel.groupby(["channel", dim])["amount"].sum().sort_index()
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
        assert list(got.index) == list(expected.index)


def test_channel_roles_match_pandas(demo_ws):
    orders = demo_ws.query("SELECT * FROM orders")
    scope = Scope.open(demo_ws, Filters())
    valid = orders[~orders["status"].isin(["cancelled", "returned"])]
    now = valid[within(valid["order_date"], scope.period)]
    before = set(valid.loc[within(valid["order_date"], scope.compare().period), "customer_id"])
    retain = now[now["customer_id"].isin(before)].groupby("channel").size()
    first = valid.sort_values("order_date").groupby("customer_id")["order_date"].transform("min")
    develop = now[first.loc[now.index] < pd.Timestamp(scope.period[0])].groupby("channel")["amount"].sum()
    got = channels.roles(scope).set_index("channel")
    np.testing.assert_allclose(got.loc[retain.index, "retain"], retain / retain.sum())
    np.testing.assert_allclose(got.loc[develop.index, "develop"], develop / develop.sum())
