"""Churn spells and cohorts under every kind of filter, against pandas on generated data.

Spells are computed three ways (insight/domain/spells.py): from the fact's previous order day
(customers kept whole), from the customer days accelerator (a streaming pass in its stored
order), and by windows over the kept orders (another engine, or a customer lookup with a
channel). Each is checked here, spell by spell, against one pandas computation; the data is
large enough (several row groups) that DuckDB reads it on several threads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import demo
from insight.db import facts
from insight.db.workspace import Workspace
from insight.domain import churn, spells
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from tests.domain.test_churn import default_period, pandas_cohorts, valid_orders

#: More orders than three DuckDB row groups, few enough to publish in seconds.
SIZE = {"customers": 12_000, "orders": 400_000, "seed": 23}


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Workspace, dict[str, pd.DataFrame]]:
    frames = demo.generate(**SIZE)
    w = Workspace(tmp_path_factory.mktemp("spells") / "ws.duckdb")
    w.publish_frames(frames, source_file="generated")
    yield w, frames
    w.close()


def kept_orders(frames: dict[str, pd.DataFrame], query: str) -> pd.DataFrame:
    """The orders a filter keeps, by pandas: an order's own value, else its customer's."""
    orders, customers = frames["orders"], frames["customers"]
    for key, values in Filters.from_query(query)[0].dims:
        if key in orders.columns:
            own = orders[key]
            if key in customers.columns:  # the order's own value wins; the customer's fills gaps
                own = own.fillna(orders["customer_id"].map(customers.set_index("customer_id")[key]))
            orders = orders[own.isin(values)]
        else:
            orders = orders[orders["customer_id"].isin(customers.loc[customers[key].isin(values), "customer_id"])]
    return orders


def pandas_spells(orders: pd.DataFrame, n: int) -> pd.DataFrame:
    """customer_id, start, lapse: runs of a customer's order days at most `n` days apart."""
    days = valid_orders(orders)[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gap = days.groupby("customer_id")["day"].diff()
    days["spell"] = (gap.isna() | (gap > pd.Timedelta(days=n))).cumsum()
    out = days.groupby("spell").agg(customer_id=("customer_id", "first"), start=("day", "min"), last=("day", "max"))
    out["lapse"] = out["last"] + pd.Timedelta(days=n)
    return out[["customer_id", "start", "lapse"]].sort_values(["customer_id", "start"]).reset_index(drop=True)


def product_spells(ws: Workspace, query: str) -> pd.DataFrame:
    scope = Scope.open(ws, Filters.from_query(f"churn=behavioural&{query}")[0])
    cte, params = churn.spell_cte(scope, churn.definition(scope)[0])
    ids = facts.customer_ids(scope.ws, scope.snap)
    sql = f"WITH {cte} SELECT i.customer_id, s.start, s.lapse FROM spells s JOIN {ids} i ON i._cust = s._cust"
    frame = scope.query(sql, params, cap=10_000_000)
    frame["start"], frame["lapse"] = pd.to_datetime(frame["start"]), pd.to_datetime(frame["lapse"])
    return (
        frame.sort_values(["customer_id", "start"])
        .reset_index(drop=True)
        .astype({"start": "<M8[ns]", "lapse": "<M8[ns]"})
    )


def same_spells(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    expected = expected.astype({"start": "<M8[ns]", "lapse": "<M8[ns]"})
    assert len(got) == len(expected) > 0
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(
    ("query", "whole"),
    [
        ("days=90", True),
        ("days=7", True),
        ("region=East&days=365", True),
        ("segment=SMB&region=North&region=West&days=30", True),
        ("channel=Store&days=90", False),
        ("channel=Store&channel=App&days=30", False),
        ("category=Mobile&days=60", False),
        ("channel=WeChat&category=Devices&category=Mobile&days=14", False),
        ("region=East&segment=SMB&channel=App&days=200", False),
        ("product=nothing-sold&days=90", False),
    ],
)
def test_spells_under_filters_and_days_match_pandas(big, query, whole):
    """Spell by spell: customers kept whole (the previous order day read from the fact) and
    orders split by a channel, a category or both (the accelerator's streaming pass)."""
    ws, frames = big
    scope = Scope.open(ws, Filters.from_query(query)[0])
    assert spells.whole_customers(scope) is whole
    n = int(dict(scope.filters.extra).get("days", 90))
    expected = pandas_spells(kept_orders(frames, query), n)
    if query.startswith("product="):
        assert product_spells(ws, query).empty and expected.empty
        return
    same_spells(product_spells(ws, query), expected)


def test_every_path_gives_the_same_spells(big, monkeypatch):
    """The windows over the kept orders (another engine's path) and the fact's previous order day
    give exactly the accelerator's spells."""
    ws, frames = big
    cases = ("channel=Online&days=45", "region=South&days=45")
    fast = {q: product_spells(ws, q) for q in cases}
    monkeypatch.setattr(spells, "_codes", lambda scope: None)  # as on an engine without the accelerator
    for query in cases:
        same_spells(product_spells(ws, query), fast[query])
        same_spells(fast[query], pandas_spells(kept_orders(frames, query), 45))


def test_a_customer_lookup_with_a_channel_uses_the_windows(big):
    """A filter the accelerator does not code (the value tier: a lookup through the customer)
    with a channel: the kept orders' previous day is recomputed, and matches pandas."""
    ws, frames = big
    from insight.domain import segments

    scope = segments.with_segments(Scope.open(ws, Filters.from_query("tier=diamond&tier=gold&channel=App")[0]))
    tiers = scope.query(
        f"SELECT customer_id FROM {scope.table(segments.SEGMENTS)} WHERE active AND tier IN ('diamond', 'gold')"
    )
    assert spells._codes(scope) is None and not spells.whole_customers(scope)
    kept = kept_orders(frames, "channel=App")
    expected = pandas_spells(kept[kept["customer_id"].isin(tiers["customer_id"])], 90)
    same_spells(product_spells(ws, "tier=diamond&tier=gold&channel=App"), expected)


@pytest.mark.parametrize("query", ["category=Mobile", "channel=Store&channel=App&segment=SMB", "region=East"])
def test_cohorts_under_filters_match_pandas_and_are_computed_once(big, query):
    """Cohorts of the orders a filter keeps; remembered per filter set (the same frame for every
    churn definition and tab), and a caller changing its copy changes nothing."""
    ws, frames = big
    start, end = default_period(frames["orders"])
    expected = pandas_cohorts(kept_orders(frames, query), start, end)
    first = churn.cohorts(Scope.open(ws, Filters.from_query(query)[0]))
    assert {(r.cohort, r.offset): (r.customers, r.retained) for r in first.itertuples()} == expected
    assert len(expected) > 10
    first["retained"] = -1
    again = churn.cohorts(Scope.open(ws, Filters.from_query(f"churn=behavioural&days=30&{query}")[0]))
    assert {(r.cohort, r.offset): (r.customers, r.retained) for r in again.itertuples()} == expected
    assert churn._cohorts.cache_info().hits >= 1


def odd_days(seed: int) -> pd.DataFrame:
    """Customer days of odd shapes: one-order customers, several orders on one day, gaps of
    exactly N and N + 1 days, days before 1970 and across month and year ends, customer keys
    with holes; in the accelerator's order (customer, day)."""
    rng = np.random.default_rng(seed)
    rows = []
    for cust in rng.choice(np.arange(1, 400), size=120, replace=False):
        day = int(rng.integers(-800, 20_000))
        for _ in range(int(rng.integers(1, 12))):
            rows.append((int(cust), day))
            day += int(rng.choice([0, 0, 1, 29, 30, 31, 45, 200, int(rng.integers(0, 400))]))
    return pd.DataFrame(rows, columns=["cust", "day"]).sort_values(["cust", "day"], kind="stable")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n", [0, 1, 30, 90])
def test_runs_of_odd_customer_days_match_pandas(seed, n):
    """The array pass over the customer days (spells for any N, with the months each is active
    at the start of) against pandas."""
    days = odd_days(seed)
    got = spells._runs(days["cust"].to_numpy(np.int32), days["day"].to_numpy(np.int32), n).to_pandas()
    epoch = pd.Timestamp("1970-01-01")
    orders = pd.DataFrame(
        {"customer_id": days["cust"], "order_date": epoch + pd.to_timedelta(days["day"], unit="D"), "status": None}
    )
    expected = pandas_spells(orders, n).rename(columns={"customer_id": "_cust"})
    expected = expected.astype({"start": "<M8[ns]", "lapse": "<M8[ns]"})
    got = got.astype({c: "<M8[ns]" for c in ("start", "lapse", "first_month", "last_month")})
    pd.testing.assert_frame_equal(
        got[["_cust", "start", "lapse"]].astype({"_cust": "int64"}), expected.astype({"_cust": "int64"})
    )
    assert (got["first_month"] == (got["start"].dt.to_period("M") + 1).dt.to_timestamp()).all()
    assert (got["last_month"] == got["lapse"].dt.to_period("M").dt.to_timestamp()).all()


def test_customer_days_kept_and_first_days_match_pandas(big):
    """The codes a filter keeps pick the same days from the arrays as SQL from the table, and
    each customer's first kept day is pandas' first order day among the kept orders."""
    ws, frames = big
    for query in ("channel=Store&channel=App", "category=Mobile&region=East", "product=nothing-sold"):
        scope = Scope.open(ws, Filters.from_query(query)[0])
        codes = spells._codes(scope)
        cust, day = spells._kept_days(scope, codes)
        kept = valid_orders(kept_orders(frames, query))
        assert len(cust) == len(kept)
        sql, params = spells.first_days(scope, *churn._orders(scope))
        ids = facts.customer_ids(scope.ws, scope.snap)
        firsts = scope.query(
            f"SELECT i.customer_id, f.first_day FROM ({sql}) f JOIN {ids} i ON i._cust = f._cust",
            params,
            cap=10_000_000,
        )
        expected = kept.groupby("customer_id")["day"].min()
        got = firsts.set_index("customer_id")["first_day"].astype("<M8[ns]").sort_index()
        assert got.index.astype(str).tolist() == expected.sort_index().index.astype(str).tolist()
        assert (got.to_numpy() == expected.astype("<M8[ns]").sort_index().to_numpy()).all()


@pytest.mark.parametrize("moved", [0, 1, 40])
def test_columns_constant_per_customer_match_pandas(tmp_path, moved):
    """Which coded columns no customer's counted orders take two values of (NULL a value too),
    from the customer days' arrays, against pandas; `moved` orders get another region (or none:
    the customer's fills it)."""
    frames = demo.generate(customers=300, orders=6_000, seed=moved)
    orders = frames["orders"].copy()
    orders["region"] = orders["customer_id"].map(frames["customers"].set_index("customer_id")["region"])
    rng = np.random.default_rng(moved)
    for i in rng.choice(len(orders), size=moved, replace=False):
        orders.loc[orders.index[i], "region"] = rng.choice(["Mars", None])
    ws = Workspace(tmp_path / "ws.duckdb")
    ws.publish_frames({**frames, "orders": orders}, source_file="generated")
    try:
        scope = Scope.open(ws, Filters())
        own = frames["customers"].set_index("customer_id")  # the order's own value wins, the customer's fills
        fact = orders.assign(
            segment=orders["customer_id"].map(own["segment"]),
            region=orders["region"].fillna(orders["customer_id"].map(own["region"])),
        )
        counted = valid_orders(fact)
        columns = ("region", "segment", "channel", "category", "product")
        expected = {c for c in columns if (counted.groupby("customer_id")[c].nunique(dropna=False) <= 1).all()}
        assert spells._constant(scope) == expected
        if moved != 1:  # (one moved order may have no region, or be cancelled)
            assert ("region" in expected) is (moved == 0)
    finally:
        ws.close()
