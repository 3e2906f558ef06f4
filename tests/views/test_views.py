"""What the page views say across pages: one name, one number; no comparison that cannot be
measured; coverage where links between tables change a figure (each checked against pandas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from insight import formatting, i18n
from insight.domain import complaints
from insight.semantic import metrics
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import page_view
from tests.apptest_support import app, clean_caches, texts  # noqa: F401 (clean_caches: autouse)

KPI_PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns")
#: Filter sets under which every page's KPIs are read (the issue's own set among them).
FILTER_SETS = (
    "",
    "region=South",
    "tier=gold&segment=SMB&region=South",
    "channel=App",
    "product=Charger",
    "campaign=CMP03",
    "from=2026-01-01&to=2026-06-30&cmp=yoy",
    "churn=behavioural&days=60",
)

pytestmark = pytest.mark.xdist_group("shape-demo")


def figures_by_label(ws, query: str) -> dict[str, dict[str, float | None]]:
    """Every KPI of every page's view under `query`: label (as shown) -> page -> value."""
    out: dict[str, dict[str, float | None]] = {}
    for page in KPI_PAGES:
        for mid, kpi in page_view(ws, f"{page}?{query}").kpis.items():
            out.setdefault(i18n.t(metrics.REGISTRY[mid].label), {})[page] = kpi.value
    return out


@pytest.mark.parametrize("query", FILTER_SETS)
def test_one_name_one_number_on_every_page(shape_ws, query):
    shared = 0
    for label, per_page in figures_by_label(shape_ws("demo"), query).items():
        values = list(per_page.values())
        if len(values) > 1:
            shared += 1
            same = values.count(None) == len(values) or all(v == pytest.approx(values[0], rel=1e-9) for v in values)
            assert same, (label, per_page)
    assert shared >= 5  # revenue, orders, active customers, churn rate, complaints … appear on several pages


def test_figures_that_differ_by_definition_have_their_own_label_and_say_why(shape_ws):
    ws = shape_ws("demo")
    overview, segments = page_view(ws, "overview?channel=App"), page_view(ws, "segments?channel=App")
    # A channel filter keeps App orders on the Overview, and customers who ever ordered in the App on
    # Segments (with all their revenue): different figures, so different labels, and the help says why.
    assert segments.kpis["segment_customers"].value != overview.kpis["active_customers"].value
    assert segments.kpis["segment_revenue"].value > overview.kpis["revenue"].value
    for own, other in (("segment_customers", "active_customers"), ("segment_revenue", "revenue")):
        assert i18n.t(f"metric.{own}") != i18n.t(f"metric.{other}")
        assert i18n.t(f"metric.{other}") in i18n.t(f"metric.{own}.def")
        assert i18n.t(f"metric.{other}", "zh") in i18n.t(f"metric.{own}.def", "zh")


def test_the_pages_show_one_number_per_name(shape_ws, monkeypatch):
    """The same, read from what the app shows: every card on every page under the same filters."""
    ws = shape_ws("demo")
    customer = ws.scalar("SELECT min(customer_id) FROM customers")
    at = app(ws, monkeypatch, query={"region": "South", "channel": "App", "id": customer})
    seen: dict[str, dict[str, str]] = {}
    for page in (*KPI_PAGES, "customer"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
        for card in at.metric:
            seen.setdefault(card.label, {})[page] = card.value
    for label, per_page in seen.items():
        assert len(set(per_page.values())) == 1, (label, per_page)
    assert len([label for label, pages in seen.items() if len(pages) > 1]) >= 5


def test_a_churned_flag_has_no_comparison_and_says_why(shape_ws, monkeypatch):
    ws = shape_ws("demo")
    for page in ("overview", "churn"):
        kpi = page_view(ws, page).kpis["churn_rate"]
        assert kpi.value is not None and kpi.previous is None and kpi.change is None
        assert kpi.note.key == "kpi.state"
    behavioural = page_view(ws, "churn?churn=behavioural").kpis["churn_rate"]
    assert behavioural.previous is not None and behavioural.note is None  # lapses can be compared
    at = app(ws, monkeypatch)
    card = next(m for m in at.metric if m.label == "Churn rate")
    assert card.delta == "No comparison"
    assert "Churn rate: no comparison: a snapshot (the churned flag) has no previous period." in texts(at)
    assert all("+0.0 pts" != (m.delta or "") for m in at.metric)


@pytest.fixture
def half_known(ws, shape_base):
    """The demo slice with every third ticket's customer unknown to the customers table."""
    frames = dict(shape_base)
    tickets = frames["tickets"].copy()
    unknown = tickets.index % 3 == 0
    tickets.loc[unknown, "customer_id"] = "UNKNOWN-" + tickets.loc[unknown, "ticket_id"]
    frames["tickets"] = tickets
    ws.publish_frames(frames, "coverage")
    return ws, frames


def test_complaints_per_1000_customers_says_how_many_tickets_link(half_known):
    ws, frames = half_known
    for query in ("", "segment=SMB"):
        view = page_view(ws, f"complaints?{query}")
        start, end = view.period.start, view.period.end
        t = frames["tickets"]
        t = t[t["is_complaint"] & (t["created_at"] >= pd.Timestamp(start))]
        t = t[t["created_at"] < pd.Timestamp(end) + pd.Timedelta(days=1)]
        customers = frames["customers"]
        if query:  # a segment filter keeps the tickets of that segment's customers: all known
            t = t[t["customer_id"].isin(customers.loc[customers["segment"] == "SMB", "customer_id"])]
        linked = int(t["customer_id"].isin(customers["customer_id"]).sum())
        scope = Scope.open(ws, Filters.from_query(query)[0], page="complaints")
        assert complaints.coverage(scope) == (linked, len(t))
        notes = [n for n in view.notes if i18n.note_kind(n) == "coverage"]
        if linked < len(t):
            assert [str(n) for n in notes] == [
                f"{linked:,} of {len(t):,} complaint tickets have a known customer (in the customers table); "
                "complaints per 1,000 customers counts all of them."
            ]
        else:
            assert not notes


def test_churn_of_complainers_says_how_many_complainers_link(half_known):
    ws, frames = half_known
    versus = page_view(ws, "churn").complaints_churn
    cutoff = pd.Timestamp(versus["cutoff"].iloc[0])
    t = frames["tickets"]
    window = t[t["is_complaint"] & (t["created_at"] > cutoff - pd.Timedelta(days=90))]
    window = window[window["created_at"] < cutoff + pd.Timedelta(days=1)]
    complainers = set(window["customer_id"])
    c = frames["customers"]
    # The explicit, dated flag: customers not churned by the cutoff and signed up by then.
    here = c[~(c["churned"] & (c["churn_date"].isna() | (c["churn_date"] <= cutoff))) & (c["signup_date"] <= cutoff)]
    assert versus["complainers"].iloc[0] == len(complainers)
    assert versus["linked"].iloc[0] == len(complainers & set(here["customer_id"])) < len(complainers)
    note = next(n for n in page_view(ws, "churn").notes if i18n.note_kind(n) == "coverage")
    assert f"{versus['linked'].iloc[0]:,} of {len(complainers):,} customers who complained" in str(note)


def test_customers_that_match_no_order_are_said_so(shape_ws, monkeypatch):
    ws = shape_ws("customers_match_no_order")
    view = page_view(ws, "overview")
    notes = [str(n) for n in view.notes if i18n.note_kind(n) == "coverage"]
    assert len(notes) == 1 and notes[0].startswith("0 of ")
    tiers = page_view(ws, "segments?tab=tiers").tier_churn
    assert tiers.basis == "lapsed" and tiers.known == 0  # no flag for the ranked customers: says so
    at = app(ws, monkeypatch, "segments", {"tab": "tiers"})
    assert "no churned flag for these" in texts(at)


def test_time_buckets_fit_the_data(shape_ws):
    from insight.views.views import grain

    expected = {"one_day": "hour", "one_month": "day", "demo": "month"}
    for name, bucket in expected.items():
        assert grain(Scope.open(shape_ws(name), Filters())) == bucket, name
    scope = Scope.open(shape_ws("demo"), Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)))
    assert grain(scope) == "week"


@pytest.mark.parametrize(("name", "grain", "floor"), [("one_day", "hour", "h"), ("one_month", "day", "D")])
def test_the_trend_is_drawn_in_buckets_that_fit_the_data(shape_ws, shape_base, monkeypatch, name, grain, floor):
    import json

    from tests import shapes

    ws = shape_ws(name)
    series = page_view(ws, "overview").series
    current = series[series["series"] == "current"].set_index("bucket")
    orders = shapes.BY_NAME[name].build(shape_base)["orders"]
    counted = orders[~orders["status"].isin(["cancelled", "returned"])]
    expected = counted.groupby(counted["order_date"].dt.floor(floor))["amount"].sum()
    got = current["revenue"][current["revenue"] > 0]
    assert [pd.Timestamp(b) for b in got.index] == list(expected.index)
    assert got.to_numpy() == pytest.approx(expected.to_numpy())
    at = app(ws, monkeypatch)
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    x, y = layout["xaxis"], layout["yaxis2"]  # revenue: the line's axis, overlaying the bars' (line on top)
    width = {"hour": 3_600_000, "day": 86_400_000}[grain]
    assert x["type"] == "date" and x["dtick"] >= width  # never sub-bucket (let alone sub-millisecond) ticks
    assert x["tickformat"] == ("%H:%M<br>%Y-%m-%d" if grain == "hour" else "%Y-%m-%d")
    ticks = y["tickvals"]  # round steps from 0, written as the cards write money: 1.9M, not 1.9024875M
    assert ticks[0] == 0 and y["range"] == [ticks[0], ticks[-1]] and ticks[-1] >= got.max()
    assert len({round(b - a, 6) for a, b in zip(ticks, ticks[1:], strict=False)}) == 1
    assert y["ticktext"][1:] == [formatting.value(v, "money") for v in ticks[1:]]


def test_channel_mix_computes_migration_and_roles_only_when_their_section_is_opened(demo_ws, monkeypatch):
    from insight import cache
    from insight.domain import channels

    everything = page_view(demo_ws, "channels")  # the CLI and reports: every section
    closed = page_view(demo_ws, "channels", everything=False)  # the app, section closed
    opened = page_view(demo_ws, "channels?more=true", everything=False)
    assert closed.migration is None and closed.roles is None
    scope = Scope.open(demo_ws, Filters.from_query("")[0])
    roles, migration = channels.roles(scope), channels.migration(scope)
    assert len(migration) and len(roles)
    for view in (everything, opened):
        pd.testing.assert_frame_equal(view.migration, migration)
        pd.testing.assert_frame_equal(view.roles, roles)
    pd.testing.assert_frame_equal(closed.over_time, everything.over_time)
    assert closed.to_dict()["kpis"] == everything.to_dict()["kpis"]
    # The page: closed, the view it reads has no migration and the section draws nothing; a link
    # with the section open reopens it with both.
    at = app(demo_ws, monkeypatch, "channels")
    assert at.expander[0].label.startswith("How customers move") and "Channel roles" not in texts(at)
    [read] = [v for v in cache.page_view.cache.values() if v.page == "channels"]
    assert read.migration is None and read.roles is None
    at = app(demo_ws, monkeypatch, "channels", {"more": "true"})
    assert "Channel roles by customer stage" in texts(at)
    [shown] = [d.value for d in at.dataframe if set(channels.ROLES) <= set(d.value.columns)]
    assert shown["channel"].tolist() == roles["channel"].tolist()


@pytest.mark.parametrize(
    ("link", "shown", "hidden"),
    [
        ("churn", {"trend"}, {"churn_by", "retention", "survival"}),
        ("churn?tab=attribute", {"churn_by"}, {"trend", "retention", "survival"}),
        ("churn?tab=cohorts", {"retention"}, {"trend", "churn_by", "survival"}),
        ("churn?tab=survival", {"survival", "survival_groups"}, {"trend", "churn_by", "retention"}),
        ("segments", {"rf_grid", "segments"}, {"tiers", "pareto", "tier_churn"}),
        ("segments?tab=tiers", {"tiers", "pareto", "tier_churn"}, {"rf_grid"}),
        ("segments?tab=clv", {"tiers", "clv"}, {"rf_grid", "pareto"}),
    ],
)
def test_the_app_computes_only_the_open_tab(demo_ws, link, shown, hidden):
    lazy, full = page_view(demo_ws, link, everything=False), page_view(demo_ws, link)
    assert all(getattr(lazy, name) is not None for name in shown)
    assert all(getattr(lazy, name) is None for name in hidden)
    assert all(getattr(full, name) is not None for name in shown | hidden)  # the CLI gets every tab's
    for name in shown:
        pd.testing.assert_frame_equal(lazy.tables()[name], full.tables()[name])
    assert lazy.to_dict()["kpis"] == full.to_dict()["kpis"]  # the cards on every tab
