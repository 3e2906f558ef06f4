"""Segments: RFM, tiers, the Pareto share, CLV, movement and clusters, each checked against an
independent pandas computation written here (not the code under test)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from insight import cache, settings
from insight.domain import customer_value, segment_tables, segments
from insight.ingest.importer import import_file
from insight.ml import clusters
from insight.semantic import query
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import page_view
from tests.conftest import RETAIL
from tests.test_cli import view_json

#: The R × F grid of SPEC §6's named segments, restated here: (R scores, F scores) per segment.
GRID = {
    "champions": ((5,), (4, 5)),
    "loyal": ((3, 4), (4, 5)),
    "potential_loyalist": ((4, 5), (2, 3)),
    "new": ((5,), (1,)),
    "promising": ((4,), (1,)),
    "need_attention": ((3,), (3,)),
    "about_to_sleep": ((3,), (1, 2)),
    "at_risk": ((1, 2), (3, 4)),
    "cant_lose": ((1, 2), (5,)),
    "hibernating": ((2,), (1, 2)),
    "lost": ((1,), (1,)),
}


def named(r: int, f: int) -> str:
    if (r, f) == (1, 2):
        return "hibernating"
    return next(name for name, (rs, fs) in GRID.items() if r in rs and f in fs)


def quintile(values: pd.Series, worse_is_larger: bool = False) -> pd.Series:
    """1 + ⌊5 × (customers strictly worse) / n⌋, ties sharing a score."""
    worse = values.rank(method="min", ascending=not worse_is_larger) - 1
    return (1 + (worse * 5 // len(values))).clip(upper=5).astype(int)


def expected_rfm(lines: pd.DataFrame, start: dt.date, end: dt.date) -> tuple[pd.DataFrame, float]:
    """RFM, segment and tier per customer, and the top-20 % revenue share, from counted order
    lines (customer_id, order_id, order_date, amount)."""
    as_of = pd.Timestamp(end + dt.timedelta(days=1))
    part = lines[(lines["order_date"] >= pd.Timestamp(start)) & (lines["order_date"] < as_of)]
    per = part.groupby("customer_id").agg(
        last=("order_date", "max"), frequency=("order_id", "nunique"), monetary=("amount", "sum")
    )
    per["monetary"] = per["monetary"].round(2)  # revenue in cents
    per["recency"] = (as_of - per["last"].dt.normalize()).dt.days
    per["r"] = quintile(per["recency"], worse_is_larger=True)
    per["f"] = quintile(per["frequency"])
    per["m"] = quintile(per["monetary"])
    per["rfm"] = [named(r, f) for r, f in zip(per["r"], per["f"], strict=True)]
    ranked = per.reset_index().sort_values(["monetary", "customer_id"], ascending=[False, True])
    n = len(ranked)
    position = np.arange(1, n + 1) * 10000
    ranked["tier"] = np.select(
        [position <= n * 500, position <= n * 2000, position <= n * 5000], ["diamond", "gold", "silver"], "basic"
    )
    top20 = ranked["monetary"][position <= n * 2000].sum() / ranked["monetary"].sum()
    return ranked.set_index("customer_id"), float(top20)


def computed(scope: Scope) -> pd.DataFrame:
    return scope.query(f"SELECT * FROM {scope.table(segments.SEGMENTS)} WHERE active").set_index("customer_id")


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index]
    for col in ("recency", "frequency", "r", "f", "m"):
        assert (got[col].astype(int) == want[col].astype(int)).all(), col
    assert np.allclose(got["monetary"], want["monetary"], atol=0.01)
    assert (got["rfm"] == want["rfm"]).all()
    assert (got["tier"] == want["tier"]).all()


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    from insight.db.workspace import Workspace

    ws = Workspace(tmp_path_factory.mktemp("retail") / "retail.duckdb")
    import_file(ws, RETAIL, "orders")
    yield ws
    ws.close()


def retail_lines() -> pd.DataFrame:
    raw = pd.read_csv(RETAIL, dtype={"InvoiceNo": str, "CustomerID": str}, parse_dates=["InvoiceDate"])
    raw = raw[(raw["Quantity"] >= 0) & raw["CustomerID"].notna()]  # cancellations and returns out
    return pd.DataFrame(
        {
            "customer_id": raw["CustomerID"].str.removesuffix(".0"),
            "order_id": raw["InvoiceNo"],
            "order_date": raw["InvoiceDate"],
            "amount": (raw["Quantity"] * raw["UnitPrice"]).round(2),
        }
    )


def test_rfm_tiers_and_pareto_on_online_retail(retail):
    raw = pd.read_csv(RETAIL, parse_dates=["InvoiceDate"])
    end = raw["InvoiceDate"].max().date()  # the last 12 months of the data, ending at its last day
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    want, top20 = expected_rfm(retail_lines(), start, end)

    scope = segments.with_segments(Scope.open(retail, Filters()))
    assert scope.period == (start, end)
    assert_same(computed(scope), want)
    summary = segment_tables.summary(scope)
    assert summary["pareto_top20_share"] == pytest.approx(top20)
    assert summary["segment_customers"] == len(want)
    for tier in segments.TIERS:
        share = want.loc[want["tier"] == tier, "monetary"].sum() / want["monetary"].sum()
        assert summary[f"{tier}_share"] == pytest.approx(share)
    # The file has one year of data, so retention cannot be measured and CLV is the margin only.
    assert customer_value.clv_inputs(scope).retention is None


def demo_lines(ws) -> pd.DataFrame:
    orders = ws.query("SELECT customer_id, order_id, order_date, amount, status FROM orders")
    return orders[~orders["status"].isin(["cancelled", "returned"]) & orders["customer_id"].notna()]


def test_rfm_and_tiers_on_the_demo_for_a_chosen_period(demo_ws):
    start, end = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
    filters, _ = Filters.from_query(f"from={start}&to={end}")
    scope = segments.with_segments(Scope.open(demo_ws, filters))
    want, top20 = expected_rfm(demo_lines(demo_ws), start, end)
    assert_same(computed(scope), want)
    assert segment_tables.summary(scope)["pareto_top20_share"] == pytest.approx(top20)

    grid = segment_tables.rf_grid(scope)
    counts = want.groupby(["r", "f"]).size()
    for row in grid.itertuples():
        assert row.customers == counts.get((row.r, row.f), 0)


def test_tier_cutoffs_are_configurable(demo_ws):
    filters, _ = Filters.from_query("tiers=10,30,60")
    scope = segments.with_segments(Scope.open(demo_ws, filters))
    tiers = segment_tables.tier_table(scope, customer_value.clv_inputs(scope)).set_index("tier")
    n = tiers["customers"].sum()
    assert tiers.loc["diamond", "customers"] == n * 1000 // 10000
    assert tiers.loc[["diamond", "gold"], "customers"].sum() == n * 3000 // 10000
    refused = Scope.open(demo_ws, Filters.from_query("tiers=50,20,5")[0])
    assert any("tiers=" in str(note) for note in refused.notes)


def test_tier_and_rfm_filter_every_page(demo_ws):
    """`tier=diamond` keeps the period's Diamond customers on every table: orders and tickets."""
    start, end = dt.date(2025, 11, 1), dt.date(2026, 10, 31)
    want, _ = expected_rfm(demo_lines(demo_ws), start, end)
    diamonds = set(want.index[want["tier"] == "diamond"])
    at_risk = set(want.index[want["rfm"] == "at_risk"])

    scope = Scope.open(demo_ws, Filters.from_query(f"from={start}&to={end}&tier=diamond")[0])
    got = query.values(scope, ["revenue", "active_customers", "complaints"])[0]
    assert got["revenue"] == pytest.approx(want.loc[list(diamonds), "monetary"].sum())
    assert got["active_customers"] == len(diamonds)
    tickets = demo_ws.query("SELECT customer_id, created_at, is_complaint FROM tickets")
    in_period = (tickets["created_at"] >= pd.Timestamp(start)) & (
        tickets["created_at"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    )
    mine = tickets[in_period & tickets["customer_id"].isin(diamonds) & tickets["is_complaint"].fillna(True)]
    assert got["complaints"] == len(mine)

    scope = Scope.open(demo_ws, Filters.from_query(f"from={start}&to={end}&rfm=at_risk")[0])
    assert query.values(scope, ["active_customers"])[0]["active_customers"] == len(at_risk)


def test_clv_follows_its_formula(demo_ws):
    filters, _ = Filters.from_query("margin=40")
    scope = segments.with_segments(Scope.open(demo_ws, filters))
    clv = customer_value.clv_inputs(scope)
    end = scope.period[1]
    as_of = pd.Timestamp(end + dt.timedelta(days=1))
    lines = demo_lines(demo_ws)
    lines = lines[lines["order_date"] < as_of]
    y1, y2 = as_of - pd.Timedelta(days=365), as_of - pd.Timedelta(days=730)
    last_year = set(lines.loc[lines["order_date"] >= y1, "customer_id"])
    year_before = set(lines.loc[(lines["order_date"] >= y2) & (lines["order_date"] < y1), "customer_id"])
    r = len(last_year & year_before) / len(year_before)
    assert clv.margin == 0.40 and clv.retention == pytest.approx(r)

    listed = segment_tables.members(scope, clv, "tier:diamond").set_index("customer_id")
    history = lines.groupby("customer_id")["amount"].sum()
    annual = lines[lines["order_date"] >= y1].groupby("customer_id")["amount"].sum()
    want = 0.40 * (history + annual.reindex(history.index, fill_value=0) * r / (1 + 0.10 - r))
    assert np.allclose(listed["clv"], want.loc[listed.index])
    assert listed["clv"].is_monotonic_decreasing  # best first


def test_movement_between_periods(demo_ws):
    scope = segments.with_segments(Scope.open(demo_ws, Filters.from_query("from=2026-05-01&to=2026-10-31")[0]))
    moves = segment_tables.transitions(scope)
    lines = demo_lines(demo_ws)
    now, _ = expected_rfm(lines, dt.date(2026, 5, 1), dt.date(2026, 10, 31))
    before, _ = expected_rfm(lines, dt.date(2025, 10, 29), dt.date(2026, 4, 30))  # the 184 days before
    both = now.index.intersection(before.index)
    pairs = pd.DataFrame({"from_rfm": before.loc[both, "rfm"], "to_rfm": now.loc[both, "rfm"]})
    want = pairs.value_counts()
    got = moves.set_index(["from_rfm", "to_rfm"])["customers"]
    for (a, b), count in want.items():
        assert got[(a, b)] == count
    assert got.xs("inactive", level="to_rfm").sum() == len(before.index.difference(now.index))
    listed = segment_tables.members(scope, customer_value.clv_inputs(scope), "move:loyal>at_risk")
    assert len(listed) == want.get(("loyal", "at_risk"), 0)


def test_clusters_are_deterministic_and_named(demo_ws):
    scope = segments.with_segments(Scope.open(demo_ws, Filters()))
    first = clusters.run(scope)
    cache.clear()
    again = clusters.run(scope)
    assert first is not again
    assert (first.labels["cluster"].to_numpy() == again.labels["cluster"].to_numpy()).all()
    assert 2 <= first.k <= 8 and first.chosen == "silhouette"
    assert first.silhouettes[first.k] == max(first.silhouettes.values())
    assert len(first.labels) == segment_tables.summary(scope)["segment_customers"]
    # Numbered by average revenue, highest first; every cluster has a name.
    assert first.profile["monetary"].is_monotonic_decreasing
    assert all(parts for parts in first.profile["name_parts"])
    three = clusters.run(scope, k=3)
    assert three.k == 3 and three.chosen == "user" and set(three.labels["cluster"]) == {1, 2, 3}


def test_target_list_traces_its_filters(demo_ws):
    scope = Scope.open(demo_ws, Filters.from_query("region=East")[0])
    listed, trace = clusters.target_list(scope, "tier:gold", ("city",))
    assert {"customer_id", "name", "city", "r", "f", "m", "rfm", "tier", "clv"} <= set(listed.columns)
    assert (listed["tier"] == "gold").all()
    east = set(demo_ws.query("SELECT customer_id FROM customers WHERE region = 'East'")["customer_id"])
    assert set(listed["customer_id"]) <= east
    rows = dict(zip(trace["filter"], trace["values"], strict=True))
    assert rows["region"] == "East" and rows["members"] == "tier:gold" and rows["customers"] == str(len(listed))
    assert clusters.target_list(scope, "tier:platinum") is None


def test_segments_view_and_cli(demo_ws):
    view = page_view(demo_ws, "segments?tab=movement&members=rfm:champions")
    assert {"segments", "rf_grid", "tiers", "pareto", "transitions", "members"} <= set(view.tables())
    assert view.members["rfm"].eq("champions").all()
    result = view_json(demo_ws, "segments?cmp=none")
    kpis = result["kpis"]
    assert {"pareto_top20_share", "diamond_share", "gold_share", "silver_share", "basic_share"} <= set(kpis)
    assert sum(kpis[f"{t}_share"] for t in segments.TIERS) == pytest.approx(1.0)
    table = pd.DataFrame(result["tables"]["segments"])
    assert list(table["rfm"]) == list(segments.RFM_SEGMENTS)
    assert table["customers"].sum() == kpis["segment_customers"]


def independent_clusters(x: np.ndarray, k: int, rows: np.ndarray) -> np.ndarray:
    """A scaler and k-means fitted on `rows` of x, assigning every row (scikit-learn here)."""
    model = make_pipeline(StandardScaler(), KMeans(n_clusters=k, n_init=4, random_state=settings.CLUSTER_SEED))
    return model.fit(x[rows]).predict(x)


def test_clusters_on_all_customers_and_on_a_bounded_sample(demo_ws, monkeypatch):
    scope = segments.with_segments(Scope.open(demo_ws, Filters()))
    frame = clusters.features(scope)
    whole = clusters.run(scope, k=4)
    x = frame[whole.features].to_numpy(float)
    assert adjusted_rand_score(independent_clusters(x, 4, np.arange(len(x))), whole.labels["cluster"]) == 1.0
    assert not whole.notes
    monkeypatch.setattr(settings, "CLUSTER_FIT_SAMPLE", 800)
    part = clusters.run(scope, k=4)
    rows = np.sort(np.random.default_rng(settings.CLUSTER_SEED).choice(len(x), 800, replace=False))
    assert adjusted_rand_score(independent_clusters(x, 4, rows), part.labels["cluster"]) == 1.0
    assert list(part.labels["customer_id"]) == list(frame["customer_id"])  # every customer assigned
    assert [(n.key, dict(n.values)) for n in part.notes] == [
        ("cluster.sampled", {"sample": "800", "total": f"{len(frame):,}"})
    ]
    view = page_view(demo_ws, "segments?tab=clusters&k=4")
    assert any(n.key == "cluster.sampled" and "800" in n.text("zh") for n in view.notes)


PERIODS = [(dt.date(2025, 11, 1), dt.date(2026, 10, 31)), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


@pytest.mark.parametrize("query", ["", "tiers=10,30,60", "region=East"])
@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_tiers_alone_match_pandas_and_the_segment_table(demo_ws, query, start, end):
    """The tiers a page reads without the rest of the segments (the complaints' overdue list),
    built alone, are pandas' tiers and, once the segment table exists, read from it."""
    scope = Scope.open(demo_ws, Filters.from_query(query)[0])
    alone = segments.tiers(scope, (start, end))
    assert "_segt" in alone
    got = demo_ws.query(f"SELECT customer_id, tier FROM {alone} WHERE active").set_index("customer_id")["tier"]
    want, _ = expected_rfm(demo_lines(demo_ws), start, end)
    if query.startswith("tiers="):  # the same ranking, other cut-offs
        n, position = len(want), np.arange(1, len(want) + 1) * 10000
        bounds = [n * int(c) * 100 for c in query.removeprefix("tiers=").split(",")]
        want = want.assign(tier=np.select([position <= b for b in bounds], ["diamond", "gold", "silver"], "basic"))
    assert len(got) == len(want) > 100
    assert got.sort_index().to_dict() == want["tier"].sort_index().to_dict()
    full = segments.with_segments(scope, (start, end)).table(segments.SEGMENTS)
    assert segments.tiers(scope, (start, end)) == full
