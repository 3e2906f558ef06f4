"""Active customers from the activity tables (insight/semantic/activity.py) against pandas, on
generated orders: partial months at both ends, comparison periods (previous and a year back),
several channels at once, orders without a channel, categories that vary per customer, guest
orders without a customer id, cancelled orders, and regions that are or are not one per customer."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from insight.db.workspace import Workspace
from insight.domain import channels, overview
from insight.semantic import activity, query
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope

CHANNELS = ["App", "Store", "WeChat", "Hotline", None]
CATEGORIES = ["Books", "Toys", "Food"]
REGIONS = ["East", "North", "South"]
SEGMENTS = ["SMB", "Consumer"]
DAYS = pd.date_range("2024-03-01", "2026-05-31", freq="D")  # 27 months, neither end a January


def generate(seed: int, own_region: bool) -> dict[str, pd.DataFrame]:
    """Customers and their orders; with `own_region` some orders carry their own region, so a
    customer's orders may take two (the tables then leave region to the fact)."""
    rng = np.random.default_rng(seed)
    n_customers, n_orders = 300, 6000
    ids = [f"C{i:04d}" for i in range(n_customers)]
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "region": rng.choice(REGIONS, n_customers),
            "segment": rng.choice(SEGMENTS, n_customers),
        }
    )
    # Each customer orders in a few months only, so months and periods differ in who is active.
    cust = rng.choice(n_customers, n_orders, p=rng.dirichlet(np.ones(n_customers)))
    days = rng.choice(len(DAYS), n_orders)
    seconds = rng.integers(0, 86400, n_orders)
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(n_orders)],
            "customer_id": np.where(rng.random(n_orders) < 0.05, None, np.array(ids, dtype=object)[cust]),
            "order_date": DAYS[days] + pd.to_timedelta(seconds, unit="s"),
            "amount": rng.gamma(2.0, 50.0, n_orders).round(2),
            "channel": rng.choice(np.array(CHANNELS, dtype=object), n_orders, p=[0.3, 0.3, 0.2, 0.15, 0.05]),
            "category": rng.choice(CATEGORIES, n_orders),
            "status": rng.choice(
                ["paid", "paid", "paid", "cancelled", "returned"], n_orders, p=[0.3, 0.3, 0.3, 0.05, 0.05]
            ),
        }
    )
    if own_region:
        orders["region"] = np.where(rng.random(n_orders) < 0.3, rng.choice(REGIONS, n_orders), None)
    return {"customers": customers, "orders": orders}


@pytest.fixture(scope="module", params=[(1, False), (2, True)], ids=["region-per-customer", "region-per-order"])
def generated(request, tmp_path_factory):
    frames = generate(*request.param)
    ws = Workspace(tmp_path_factory.mktemp("activity") / "ws.duckdb")
    ws.publish_frames(frames, source_file="generated")
    yield ws, prepared(frames)
    ws.close()


def prepared(frames) -> pd.DataFrame:
    """The orders as the pages count them: valid, with the fact's region (own, else the customer's)."""
    o = frames["orders"].merge(frames["customers"], on="customer_id", how="left", suffixes=("", "_c"))
    if "region_c" in o:
        o["region"] = o["region"].fillna(o["region_c"])
    o = o[~o["status"].isin(["cancelled", "returned"])]
    return o.assign(channel_shown=o["channel"].fillna("(none)"))


def within(frame: pd.DataFrame, period) -> pd.DataFrame:
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1] + dt.timedelta(days=1))
    return frame[(frame["order_date"] >= start) & (frame["order_date"] < end)]


def kept(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    for key, values in filters.dims:
        frame = frame[frame[key].isin(values)]
    return frame


LINKS = [
    "",  # the last 12 months: whole months
    "cmp=yoy",
    "from=2025-01-15&to=2025-11-20",  # partial months at both ends
    "from=2025-06-03&to=2025-06-17",  # inside one month
    "from=2024-12-01&to=2025-02-28&cmp=yoy",  # the comparison before the data
    "channel=App&channel=Store",
    "channel=App&region=East&cmp=yoy",
    "from=2025-02-10&to=2026-05-31&channel=WeChat&channel=Hotline&segment=SMB",
    "region=East&region=South&from=2025-03-05&to=2025-12-31",
    "category=Toys",  # read from the fact
    "category=Toys&channel=App&from=2025-01-15&to=2025-11-20",
    "channel=Nowhere",  # a channel the data does not have (a hand-edited link): no one, no error
    "channel=Nowhere&region=East&cmp=yoy",
]


@pytest.mark.parametrize("link", LINKS)
def test_active_customers_per_period_match_pandas(generated, link):
    ws, orders = generated
    filters = Filters.from_query(link)[0]
    scope = Scope.open(ws, filters)
    other = scope.compare()
    periods = [scope.period, other.period if other else None]
    got = query.values(scope, ["active_customers", "revenue", "orders"], periods)
    for found, period in zip(got, periods, strict=True):
        if period is None:
            continue
        rows = kept(within(orders, period), filters)
        assert found["active_customers"] == rows["customer_id"].nunique()
        assert found["revenue"] == pytest.approx(rows["amount"].sum())
        assert found["orders"] == rows["order_id"].nunique()


@pytest.mark.parametrize("link", LINKS)
def test_active_customers_per_month_and_channel_match_pandas(generated, link):
    ws, orders = generated
    filters = Filters.from_query(link)[0]
    scope = Scope.open(ws, filters)
    start = pd.Timestamp(scope.period[0])
    rows = kept(within(orders, scope.period), filters)
    bucket = rows["order_date"].dt.to_period("M").dt.start_time.clip(lower=start)
    expected = rows.groupby([bucket, rows["channel_shown"]]).agg(
        revenue=("amount", "sum"), orders=("order_id", "nunique"), customers=("customer_id", "nunique")
    )
    got = channels.over_time(scope, "month").set_index(["bucket", "channel"]).sort_index()
    assert list(got.index) == list(expected.index)
    assert got["customers"].tolist() == expected["customers"].tolist()
    assert got["orders"].tolist() == expected["orders"].tolist()
    np.testing.assert_allclose(got["revenue"], expected["revenue"])
    series = overview.series(scope, ("active_customers",), "month")
    current = series[series["series"] == "current"]
    per_month = rows.groupby(bucket)["customer_id"].nunique()
    assert current["active_customers"].tolist() == per_month.tolist()
    assert list(pd.to_datetime(current["bucket"])) == list(per_month.index)


@pytest.mark.parametrize(
    ("link", "served"),
    [("", True), ("channel=App&channel=Store&cmp=yoy", True), ("segment=SMB", True), ("category=Toys", False)],
)
def test_the_tables_serve_customer_and_channel_filters_only(generated, link, served):
    """Categories vary within a customer's orders: those read the fact. (Region too, where the
    orders carry their own.)"""
    ws, _ = generated
    scope = Scope.open(ws, Filters.from_query(link)[0])
    found = activity.run(scope, (), None, [scope.period])
    assert (found is not None) == served
    if "region" in activity.prepare(scope).dims:
        assert (
            activity.run(Scope.open(ws, Filters.from_query("region=East")[0]), (), "month", [scope.period]) is not None
        )


def test_edges_and_whole_months():
    assert activity.whole_months((dt.date(2025, 1, 15), dt.date(2025, 11, 20))) == (2025 * 12 + 1, 2025 * 12 + 9)
    assert activity.edges((dt.date(2025, 1, 15), dt.date(2025, 11, 20))) == [
        (dt.date(2025, 1, 15), dt.date(2025, 1, 31)),
        (dt.date(2025, 11, 1), dt.date(2025, 11, 20)),
    ]
    assert activity.edges((dt.date(2025, 2, 1), dt.date(2025, 2, 28))) == []
    assert activity.edges((dt.date(2025, 6, 3), dt.date(2025, 6, 17))) == [(dt.date(2025, 6, 3), dt.date(2025, 6, 17))]


def test_months_older_than_the_masks_hold_read_the_fact(tmp_path, monkeypatch):
    frames = generate(3, own_region=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    ws.publish_frames(frames, source_file="generated")
    monkeypatch.setattr(activity, "MONTHS", 12)  # the masks hold 2025-06 .. 2026-05
    orders = prepared(frames)
    for link, served in (("from=2025-06-01&to=2026-05-31&cmp=none", True), ("from=2025-01-10&to=2025-08-31", False)):
        scope = Scope.open(ws, Filters.from_query(link)[0])
        assert (activity.run(scope, (), None, [scope.period]) is not None) == served
        got = query.values(scope, ["active_customers"])[0]["active_customers"]
        assert got == within(orders, scope.period)["customer_id"].nunique()
    ws.close()
