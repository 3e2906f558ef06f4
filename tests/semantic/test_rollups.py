"""Ticket measures from the tickets rollup (insight/semantic/rollups.py) against pandas on the
demo tickets: per channel, per month and per period, under customer and channel filters, with
partial months; other SLA hours and filters the rollup lacks read the fact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.semantic import query, rollups
from insight.semantic.filters import Filters
from insight.semantic.metrics import REGISTRY
from insight.semantic.query import Query
from insight.semantic.scope import Scope

SLA = {"urgent": 4, "high": 24, "medium": 72, "low": 120}
MEASURES = ("complaints", "on_time_rate", "csat", "fcr_rate")


def expected(tickets: pd.DataFrame, by: list) -> pd.DataFrame:
    resolved = tickets["resolved_at"].notna() & (tickets["resolved_at"] >= tickets["created_at"])
    sla = pd.to_timedelta(tickets["priority"].str.lower().map(SLA).fillna(72), unit="h")
    due = tickets["due_at"].fillna(tickets["created_at"] + sla)
    frame = tickets.assign(
        complaint=tickets["is_complaint"].fillna(True).astype(int),
        on_time=np.where(resolved, (tickets["resolved_at"] <= due).astype(float), np.nan),
        fcr=tickets["first_contact_resolved"].astype(float),
    )
    return frame.groupby(by).agg(
        complaints=("complaint", "sum"), on_time_rate=("on_time", "mean"), csat=("satisfaction", "mean"),
        fcr_rate=("fcr", "mean"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "link",
    ["", "from=2026-01-15&to=2026-08-20", "region=East&channel=App&channel=Store", "segment=SMB&cmp=yoy"],
)
def test_ticket_measures_per_channel_and_month_match_pandas(demo_ws, demo_raw, link):
    filters = Filters.from_query(link)[0]
    scope = Scope.open(demo_ws, filters)
    tickets = demo_raw["tickets"].merge(demo_raw["customers"][["customer_id", "region", "segment"]], how="left")
    start, end = scope.period
    tickets = tickets[
        (tickets["created_at"] >= pd.Timestamp(start))
        & (tickets["created_at"] < pd.Timestamp(end) + pd.Timedelta(days=1))
    ]
    for key, values in filters.dims:
        tickets = tickets[tickets[key].isin(values)]
    assert rollups.relation(scope, "tickets", [REGISTRY[m] for m in MEASURES], ("channel",), "month") is not None
    got = query.run(scope, Query(MEASURES, ("channel",))).set_index("channel").sort_index()
    want = expected(tickets.assign(channel=tickets["channel"].fillna("(none)")), ["channel"]).sort_index()
    assert list(got.index) == list(want.index)
    for m in MEASURES:
        np.testing.assert_allclose(got[m].astype(float), want[m], rtol=1e-9, err_msg=m)
    got = query.run(scope, Query(MEASURES, grain="month")).set_index("bucket")
    month = tickets["created_at"].dt.to_period("M").dt.start_time.clip(lower=pd.Timestamp(start))
    want = expected(tickets.assign(bucket=month), ["bucket"])
    assert list(pd.to_datetime(got.index)) == list(want.index)
    for m in MEASURES:
        np.testing.assert_allclose(got[m].astype(float), want[m], rtol=1e-9, err_msg=m)


@pytest.mark.parametrize(("link", "served"), [("", True), ("sla=1,2,3,4", False), ("category=Billing", False)])
def test_other_sla_hours_and_other_filters_read_the_fact(demo_ws, link, served):
    scope = Scope.open(demo_ws, Filters.from_query(link)[0])
    found = rollups.relation(scope, "tickets", [REGISTRY["on_time_rate"]], (), None)
    assert (found is not None) == served
    assert rollups.relation(scope, "tickets", [REGISTRY["csat_satisfied_share"]], (), None) is None
    assert rollups.relation(scope, "tickets", [REGISTRY["complaints"]], (), "hour") is None


@pytest.mark.parametrize(
    ("link", "served"),
    [
        ("", True),
        ("region=East&channel=App", True),
        ("channel=Store&channel=WeChat&segment=SMB", True),
        ("channel=Nowhere", True),
        ("category=Electronics&region=North", False),
    ],
)
def test_customer_states_count_the_customers_pandas_counts(demo_ws, demo_raw, link, served):
    """Customers, churned customers and the churn spike's months from the customer states equal
    pandas over the customers table (a customer in a channel: one who ordered through it)."""
    from insight.domain.overview import churn_spike

    filters = Filters.from_query(link)[0]
    scope = Scope.open(demo_ws, filters)
    assert (rollups.states(scope) is not None) == served
    people, orders = demo_raw["customers"], demo_raw["orders"]
    orders = orders[~orders["status"].fillna("").isin(["cancelled", "returned"])]  # orders that count
    for key, values in filters.dims:
        if key == "channel":
            people = people[people["customer_id"].isin(orders.loc[orders["channel"].isin(values), "customer_id"])]
        elif key in people:
            people = people[people[key].isin(values)]
    got = query.values(scope, ["customers", "churned_customers"])[0]
    assert got == {"customers": len(people), "churned_customers": int(people["churned"].fillna(False).sum())}
    gone = people[people["churned"].fillna(False).astype(bool) & people["churn_date"].notna()]
    monthly = gone.groupby(gone["churn_date"].dt.to_period("M")).size()
    history = monthly.iloc[-13:-1]
    spike = churn_spike(scope)
    if len(monthly) < 6 or monthly.iloc[-1] <= history.mean() + 2 * history.std(ddof=1):
        assert spike is None
    else:
        assert spike["churned"] == monthly.iloc[-1]
        assert spike["threshold"] == pytest.approx(history.mean() + 2 * history.std(ddof=1))


def test_customer_states_follow_a_new_orders_version(demo_ws, demo_raw):
    """Replacing the orders (the customers kept) gives the states the new orders' channels: a
    customer in a channel is one who ordered through it in the version in force."""
    link = "channel=App"
    before = query.values(Scope.open(demo_ws, Filters.from_query(link)[0]), ["customers"])[0]
    orders = demo_raw["orders"].copy()
    counted = ~orders["status"].fillna("").isin(["cancelled", "returned"])
    orders["channel"] = np.where(orders["customer_id"].str[-1].isin(list("0123")), "App", "Store")
    demo_ws.publish_frames({"orders": orders}, source_file="orders.csv")
    scope = Scope.open(demo_ws, Filters.from_query(link)[0])
    assert rollups.states(scope) is not None
    people = demo_raw["customers"]
    expected = people["customer_id"].isin(orders.loc[counted & (orders["channel"] == "App"), "customer_id"]).sum()
    assert query.values(scope, ["customers"])[0] == {"customers": int(expected)}
    assert expected != before["customers"]
