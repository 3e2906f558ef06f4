"""The period a page shows: the last 12 months of the data, or of the page's own table when the
tables come from different eras; which tables it covers; and when a comparison can be measured."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import page_view
from tests import shapes
from tests.apptest_support import app, clean_caches, texts  # noqa: F401 (clean_caches: autouse)


def last_12_months(dates: pd.Series) -> tuple[dt.date, dt.date]:
    end = pd.Timestamp(dates.max()).date()
    return end.replace(year=end.year - 1) + dt.timedelta(days=1), end


def shapes_frames(base, name):
    return shapes.BY_NAME[name].build(base)


def view_period(view) -> tuple[dt.date, dt.date]:
    return view.period.start, view.period.end


@pytest.mark.xdist_group("shape-tickets_other_year")
def test_complaints_follow_the_tickets_when_they_are_from_another_era(shape_ws, shape_base):
    ws = shape_ws("tickets_other_year")
    frames = shapes_frames(shape_base, "tickets_other_year")
    orders_period = last_12_months(frames["orders"]["order_date"])
    tickets_period = last_12_months(frames["tickets"]["created_at"])
    assert frames["tickets"]["created_at"].max() < pd.Timestamp(orders_period[0])  # no overlap at all

    overview, complaints = page_view(ws, "overview"), page_view(ws, "complaints")
    assert view_period(overview) == orders_period
    assert view_period(complaints) == tickets_period
    assert complaints.period.basis == "tickets"
    follows = [n for n in complaints.notes if getattr(n, "key", "") == "period.follows"]
    assert len(follows) == 1 and str(tickets_period[1]) in str(follows[0])
    # The complaints counted are the tickets of those 12 months (pandas), not the empty orders' year.
    t = frames["tickets"]
    inside = t[
        (t["created_at"] >= pd.Timestamp(tickets_period[0]))
        & (t["created_at"] < pd.Timestamp(tickets_period[1]) + pd.Timedelta(days=1))
    ]
    assert complaints.kpis["complaints"].value == inside["is_complaint"].sum() > 0
    # The Overview says its period misses the tickets, and shows no complaint figure rather than 0.
    coverage = overview.coverage.set_index("table")
    assert not coverage.loc["tickets", "in_period"] and coverage.loc["orders", "in_period"]
    assert coverage.loc["tickets", "first"] == t["created_at"].min().date()
    assert coverage.loc["tickets", "last"] == t["created_at"].max().date()
    assert overview.kpis["complaints"].value is None and overview.kpis["complaints"].note.key == "kpi.outside"
    # A chosen period is kept on every page.
    chosen = page_view(ws, "complaints?from=2026-01-01&to=2026-03-31")
    assert view_period(chosen) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert chosen.kpis["complaints"].value is None  # the tickets lie outside it, and the card says so


def test_campaigns_follow_the_contacts_and_overlapping_tables_share_one_period(ws, shape_base):
    frames = dict(shape_base)
    frames["contacts"] = frames["contacts"].assign(
        contacted_at=frames["contacts"]["contacted_at"] - pd.DateOffset(years=5)
    )
    ws.publish_frames({t: f.reset_index(drop=True) for t, f in frames.items()}, "eras")
    orders_period = last_12_months(frames["orders"]["order_date"])
    assert view_period(page_view(ws, "campaigns")) == last_12_months(frames["contacts"]["contacted_at"])
    # The tickets overlap the orders: Complaints keeps the period of the data as a whole.
    assert view_period(page_view(ws, "complaints")) == orders_period
    assert view_period(page_view(ws, "overview")) == orders_period


@pytest.mark.xdist_group("shape-tickets_other_year")
def test_the_app_notes_the_period_and_aligns_every_page_to_it(shape_ws, monkeypatch):
    ws = shape_ws("tickets_other_year")
    at = app(ws, monkeypatch, "complaints")
    assert "this page shows the last 12 months of the tickets" in texts(at)
    align = next(b for b in at.button if b.label == "Use this period on every page")
    align.click().run()
    start, end = at.date_input(key="from").value, at.date_input(key="to").value
    assert (start, end) == view_period(page_view(ws, "complaints"))
    at.switch_page("app_pages/overview.py").run()
    assert f"Period: {start} – {end}" in texts(at)  # the Overview now shows the tickets' year too
    assert "Complaints" in {m.label for m in at.metric}


def test_comparison_only_where_the_data_reaches(shape_ws):
    ws = shape_ws("one_month")
    scope = Scope.open(ws, Filters())
    assert scope.uncompared("orders").key == "compare.before_data"
    assert Scope.open(ws, Filters(cmp="none")).uncompared("orders") is None
    demo = Scope.open(shape_ws("demo"), Filters())
    assert demo.uncompared("orders") is None  # the year before is in the demo's two years
