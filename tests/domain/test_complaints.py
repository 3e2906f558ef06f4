"""Complaints: categories, time limits, satisfaction and customers, each checked against an
independent pandas computation written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.ingest.importer import import_file
from insight.views.views import page_view
from tests.conftest import TICKETS
from tests.domain.test_churn import tables
from tests.test_cli import view_json

SLA = {"urgent": 4, "high": 24, "medium": 72, "low": 120}
LEVEL = {"critical": "urgent", "urgent": "urgent", "high": "high", "medium": "medium", "low": "low"}


# --- the shared support tickets: no creation time, no customer_id -----------------------------


@pytest.fixture
def support(ws):
    import_file(ws, TICKETS, "tickets")
    return ws


@pytest.fixture(scope="module")
def support_raw() -> pd.DataFrame:
    raw = pd.read_csv(TICKETS)
    first = pd.to_datetime(raw["First Response Time"])
    resolved = pd.to_datetime(raw["Time to Resolution"])
    # The file has no creation time: the first response (else the resolution) stands in.
    return raw.assign(created=first.fillna(resolved), resolved=resolved)


def test_support_counts_by_type_channel_and_priority(support, support_raw):
    dated = support_raw[support_raw["created"].notna()]
    pv = page_view(support, "complaints?tab=time")
    got = pv.categories.set_index("value")["complaints"]
    assert got.to_dict() == dated["Ticket Type"].value_counts().to_dict()
    assert pv.kpis["complaints"].value == len(dated)
    undated = len(support_raw) - len(dated)
    assert f"{undated:,} complaint tickets have no creation time" in " ".join(map(str, pv.notes))
    by_priority = pv.on_time_priority.set_index("value")["complaints"]
    expected = dated["Ticket Priority"].str.lower().map(LEVEL).value_counts()
    assert by_priority.to_dict() == expected.to_dict()
    csat = tables(support, "complaints?tab=satisfaction")["satisfaction_channel"].set_index("value")
    grouped = dated.groupby("Ticket Channel")
    assert csat["complaints"].to_dict() == grouped.size().to_dict()
    for channel, mean in grouped["Customer Satisfaction Rating"].mean().items():
        assert csat.loc[channel, "csat"] == pytest.approx(mean)
        assert csat.loc[channel, "rated"] == grouped["Customer Satisfaction Rating"].count()[channel]


@pytest.mark.parametrize("sla", [None, "8,8,8,8"])
def test_support_on_time_rate_and_no_negative_durations(support, support_raw, sla):
    hours = dict(SLA) if sla is None else dict.fromkeys(SLA, 8)
    closed = support_raw[support_raw["resolved"].notna() & (support_raw["resolved"] >= support_raw["created"])]
    level = closed["Ticket Priority"].str.lower().map(LEVEL)
    due = closed["created"] + pd.to_timedelta(level.map(hours), unit="h")
    pv = page_view(support, "complaints?tab=time" + (f"&sla={sla}" if sla else ""))
    assert pv.kpis["on_time_rate"].value == pytest.approx((closed["resolved"] <= due).mean())
    spans = pv.durations.set_index("measure")
    negative = (support_raw["resolved"] < support_raw["created"]).sum()
    assert spans.loc["resolution", "negative"] == negative == 1365
    assert bool(spans.loc["resolution", "no_creation_time"])  # it says what it could not compute
    assert pd.isna(spans.loc["first_response", "p50"])
    hours_taken = (closed["resolved"] - closed["created"]).dt.total_seconds() / 3600
    assert spans.loc["resolution", "p50"] == pytest.approx(hours_taken.median())
    assert (pv.histogram["low"] >= 0).all()
    assert "the tickets table has no customer_id column" in " ".join(map(str, pv.notes))


def test_support_without_customers_hides_the_customer_parts(support):
    t = tables(support, "complaints?tab=customers")
    assert "churn_by_category" not in t and "value_at_stake" not in t


def test_bad_sla_gives_a_note(support):
    pv = page_view(support, "complaints?tab=time&sla=4,24")
    assert any("sla='4,24' ignored" in str(n) for n in pv.notes)


# --- the demo: tickets with deadlines, customers, orders ---------------------------------------


def demo_complaints(demo_raw) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    tickets = demo_raw["tickets"]
    end = demo_raw["orders"]["order_date"].max().normalize()
    start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    period = tickets[
        tickets["is_complaint"].fillna(True)
        & (tickets["created_at"] >= start)
        & (tickets["created_at"] < end + pd.Timedelta(days=1))
    ]
    return period, start, end


def test_demo_resolution_percentiles(demo_ws, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    ok = period[period["resolved_at"].notna() & (period["resolved_at"] >= period["created_at"])]
    hours = (ok["resolved_at"] - ok["created_at"]).dt.total_seconds() / 3600
    spans = tables(demo_ws, "complaints?tab=time")["durations"].set_index("measure")
    assert spans.loc["resolution", "p50"] == pytest.approx(hours.median())
    assert spans.loc["resolution", "p90"] == pytest.approx(hours.quantile(0.9))
    first = period[period["first_response_at"].notna() & (period["first_response_at"] >= period["created_at"])]
    first_hours = (first["first_response_at"] - first["created_at"]).dt.total_seconds() / 3600
    assert spans.loc["first_response", "p50"] == pytest.approx(first_hours.median())
    assert not bool(spans.loc["resolution", "no_creation_time"])


def test_demo_overdue_backlog(demo_ws, demo_raw):
    tickets = demo_raw["tickets"]
    latest = tickets["created_at"].max()
    level = tickets["priority"].str.lower().map(LEVEL).fillna("medium")
    due = tickets["due_at"].fillna(tickets["created_at"] + pd.to_timedelta(level.map(SLA), unit="h"))
    open_ = tickets["resolved_at"].isna() & ~tickets["status"].str.lower().isin(["closed", "resolved"])
    late = tickets[tickets["is_complaint"].fillna(True) & open_ & (due < latest)]
    t = tables(demo_ws, "complaints?tab=time")
    assert t["overdue_count"]["tickets"].iloc[0] == len(late)
    listed = t["overdue"]
    assert set(listed["ticket_id"]) == set(late["ticket_id"]) or len(listed) == 500
    ranks = listed["level"].map({"urgent": 0, "high": 1, "medium": 2, "low": 3})
    assert ranks.is_monotonic_increasing  # most urgent first
    for _, part in listed.groupby("level"):
        assert part["overdue_hours"].is_monotonic_decreasing


def test_demo_categories_trend_and_anomalies(demo_ws, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    t = tables(demo_ws, "complaints")
    pareto = t["categories"]
    assert pareto.set_index("value")["complaints"].to_dict() == period["category"].value_counts().to_dict()
    assert pareto["cum_share"].iloc[-1] == pytest.approx(1.0)
    weekly = period.assign(week=period["created_at"].dt.to_period("W-SUN").dt.start_time)
    counts = weekly.pivot_table(index="week", columns="category", values="ticket_id", aggfunc="count").fillna(0)
    flagged = {
        (w.date(), c)
        for c in counts.columns
        for w, v in counts[c].items()
        if v > counts[c].mean() + 3 * counts[c].std(ddof=0)
    }
    trend = t["trend"]
    got = {
        (pd.Timestamp(w).date(), c)
        for w, c, a in zip(trend["week"], trend["category"], trend["anomaly"], strict=True)
        if a
    }
    assert got == flagged


def test_drill_to_subcategories_and_tickets(demo_ws, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    billing = period[period["category"] == "Billing"]
    t = tables(demo_ws, "complaints?category=Billing&sub=Double%20charge")
    subs = t["categories"]
    assert subs["level"].iloc[0] == "subcategory"
    assert subs.set_index("value")["complaints"].to_dict() == billing["subcategory"].value_counts().to_dict()
    double = billing[billing["subcategory"] == "Double charge"]
    assert t["tickets_count"]["tickets"].iloc[0] == len(double)
    assert set(t["tickets"]["ticket_id"]) <= set(double["ticket_id"])


def test_demo_satisfaction_matrix_and_repeat_complainers(demo_ws, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    t = tables(demo_ws, "complaints?tab=satisfaction")
    matrix = t["matrix"].set_index("value")
    csat = period.groupby("category")["satisfaction"].mean()
    volume = period["category"].value_counts()
    for category in csat.index:
        assert matrix.loc[category, "csat"] == pytest.approx(csat[category])
        fix = volume[category] >= volume.median() and csat[category] < csat.median()
        assert (matrix.loc[category, "quadrant"] == "fix_first") == fix
    gaps = period.sort_values("created_at").groupby("customer_id")["created_at"].diff().dt.total_seconds() / 86400
    repeaters = set(period.loc[gaps <= 30, "customer_id"])
    assert t["repeat_count"]["customers"].iloc[0] == len(repeaters)
    assert t["repeat_count"]["complainers"].iloc[0] == period["customer_id"].nunique()


def test_demo_churn_by_complaint_category(demo_ws, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    customers = demo_raw["customers"].set_index("customer_id")
    got = tables(demo_ws, "complaints?tab=customers")["churn_by_category"].set_index("value")
    for category, part in period.groupby("category"):
        who = part["customer_id"].dropna().unique()
        flags = customers.loc[who, "churned"]
        assert got.loc[category, "customers"] == len(who)
        assert got.loc[category, "churned"] == flags.sum()
    silent = customers.drop(index=period["customer_id"].dropna().unique())
    assert (got.loc["none", "customers"], got.loc["none", "churned"]) == (len(silent), silent["churned"].sum())
    assert np.all(got["low"] <= got["churn_rate"]) and np.all(got["churn_rate"] <= got["high"])


def test_cli_view_complaints(demo_ws, demo_raw):
    period, start, end = demo_complaints(demo_raw)
    result = view_json(demo_ws, "complaints")
    assert {"complaints", "complaint_rate", "on_time_rate", "fcr_rate", "csat"} <= set(result["kpis"])
    assert result["kpis"]["complaints"] == len(period)
    tickets = demo_raw["tickets"]  # first-contact resolution is over every ticket, complaint or not
    in_period = tickets[(tickets["created_at"] >= start) & (tickets["created_at"] < end + pd.Timedelta(days=1))]
    assert result["kpis"]["fcr_rate"] == pytest.approx(in_period["first_contact_resolved"].mean())
    rows = {r["value"]: r["complaints"] for r in result["tables"]["categories"]}
    assert rows == period["category"].value_counts().to_dict()
