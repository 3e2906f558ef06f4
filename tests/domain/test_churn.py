"""Churn: rates, the trend, churn by attribute, cohorts, survival, complaints against churn and the
risk model, each checked against an independent pandas/numpy computation written here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from insight import settings
from insight.domain import churn
from insight.ingest.importer import import_file
from insight.ml import churn_model
from insight.ml.churn import features, guard
from insight.ml.churn.features import Feature
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views.views import page_view
from tests.conftest import TELCO
from tests.test_cli import view_json

Z = 1.959963984540054  # the 97.5 % normal quantile


def wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def kaplan_meier(time: np.ndarray, event: np.ndarray, at: float) -> float:
    s = 1.0
    for u in np.unique(time[event & (time <= at)]):
        s *= 1 - np.sum((time == u) & event) / np.sum(time >= u)
    return s


def tables(ws, link: str) -> dict[str, pd.DataFrame]:
    return page_view(ws, link).tables()


# --- Telco: an explicit flag, tenure, no dates ------------------------------------------------


@pytest.fixture
def telco(ws):
    import_file(ws, TELCO, "customers")
    return ws


@pytest.fixture(scope="module")
def telco_raw() -> pd.DataFrame:
    return pd.read_csv(TELCO)


def test_telco_overall_rate_and_definition(telco, telco_raw):
    pv = page_view(telco, "churn")
    assert pv.kpis["churn_rate"].value == pytest.approx((telco_raw["Churn"] == "Yes").mean())
    assert pv.kpis["churned_customers"].value == (telco_raw["Churn"] == "Yes").sum()
    d = pv.definition
    assert (d.kind, d.reason, d.dated) == ("explicit", "flag", False)
    assert pv.trend is None and pv.retention is None  # no dates: nothing to place in time


@pytest.mark.parametrize(("by", "column"), [("contract", "Contract"), ("PaymentMethod", "PaymentMethod")])
def test_telco_churn_by_attribute_with_wilson_interval(telco, telco_raw, by, column):
    got = tables(telco, f"churn?tab=attribute&attr={by}")["churn_by"].set_index("value")
    grouped = telco_raw.groupby(column)["Churn"].agg(customers="size", churned=lambda s: (s == "Yes").sum())
    low, high = wilson(grouped["churned"].to_numpy(float), grouped["customers"].to_numpy(float))
    assert set(got.index) == set(grouped.index)
    for i, value in enumerate(grouped.index):
        row = got.loc[value]
        assert (row["customers"], row["churned"]) == (grouped["customers"].iloc[i], grouped["churned"].iloc[i])
        assert row["churn_rate"] == pytest.approx(grouped["churned"].iloc[i] / grouped["customers"].iloc[i])
        assert (row["low"], row["high"]) == (pytest.approx(low[i]), pytest.approx(high[i]))
    assert list(got["churn_rate"]) == sorted(got["churn_rate"], reverse=True)  # no small groups here


def test_telco_unmapped_columns_are_attributes(telco):
    attrs = set(tables(telco, "churn")["attributes"]["attribute"])
    assert {"InternetService", "PaymentMethod", "contract", "SeniorCitizen"} <= attrs
    assert not attrs & {"customer_id", "churned", "TotalCharges", "monthly_charges"}  # ids, label, continuous


def test_telco_kaplan_meier_and_log_rank(telco, telco_raw):
    t = tables(telco, "churn?tab=survival&split=contract")
    curves, groups = t["survival"], t["survival_groups"]
    time, event = telco_raw["tenure"].to_numpy(float), (telco_raw["Churn"] == "Yes").to_numpy()
    overall = tables(telco, "churn?tab=survival")["survival"]
    for months in (12, 24, 48, 72):
        got = overall.loc[overall["time"] <= months, "survival"].iloc[-1]
        assert got == pytest.approx(kaplan_meier(time, event, months), abs=1e-9)
    monthly = (telco_raw["Contract"] == "Month-to-month").to_numpy()
    part = curves[curves["group"] == "Month-to-month"]
    assert part.loc[part["time"] <= 24, "survival"].iloc[-1] == pytest.approx(
        kaplan_meier(time[monthly], event[monthly], 24)
    )
    assert groups["unit"].iloc[0] == "months" and groups["basis"].iloc[0] == "tenure"
    assert groups["p_value"].iloc[0] < 1e-10  # contract separates survival beyond doubt


def test_telco_model_is_a_stratified_snapshot_and_beats_its_baselines(telco, telco_raw):
    t = tables(telco, "churn?tab=risk")
    m = t["model"].iloc[0]
    assert m["mode"] == "snapshot"
    assert m["test_rows"] == pytest.approx(len(telco_raw) * 0.25, abs=1)
    assert m["prevalence"] == pytest.approx((telco_raw["Churn"] == "Yes").mean(), abs=0.005)  # stratified
    assert m["roc_auc"] > m["baseline_roc_auc"] + 0.25
    assert m["roc_auc"] > m["rule_roc_auc"] + 0.03
    assert m["pr_auc"] > m["baseline_pr_auc"] + 0.2
    # The list holds the customers still here, highest risk × value first.
    listed = t["at_risk"]
    stayed = set(telco_raw.loc[telco_raw["Churn"] == "No", "customerID"])
    assert set(listed["customer_id"]) <= stayed
    assert t["at_risk_count"]["customers"].iloc[0] == len(stayed)
    assert listed["expected_loss"].is_monotonic_decreasing
    assert listed["reasons"].map(len).gt(0).mean() > 0.5
    assert not [n for n in page_view(telco, "churn?tab=risk").notes if "sample" in str(n)]  # all 7,043 used


def test_a_copy_of_the_label_under_another_name_is_refused(ws, telco_raw, tmp_path):
    leaky = telco_raw.assign(AccountState=np.where(telco_raw["Churn"] == "Yes", "Closed", "Open"))
    path = tmp_path / "telco_leaky.csv"
    leaky.to_csv(path, index=False)
    import_file(ws, path, "customers")
    refused = tables(ws, "churn?tab=risk")["refused"].set_index("feature")["reason"]
    assert "AccountState" in refused and "separates churners" in str(refused["AccountState"])
    assert str(refused["churned"]) == "names the churn label"


# --- Demo: orders, tickets and a churned flag with dates ------------------------------------


def valid_orders(orders: pd.DataFrame) -> pd.DataFrame:
    o = orders[~orders["status"].isin(["cancelled", "returned"]) & orders["customer_id"].notna()]
    return o.assign(day=o["order_date"].dt.normalize())


def default_period(orders: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = orders["order_date"].max().normalize()
    return end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end


def pandas_spells(orders: pd.DataFrame, n: int) -> pd.DataFrame:
    days = valid_orders(orders)[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gap = days.groupby("customer_id")["day"].diff()
    days["spell"] = (gap.isna() | (gap > pd.Timedelta(days=n))).cumsum()
    spells = days.groupby("spell").agg(customer_id=("customer_id", "first"), start=("day", "min"), last=("day", "max"))
    return spells.assign(lapse=spells["last"] + pd.Timedelta(days=n))


def pandas_monthly(spells: pd.DataFrame, months, data_end) -> pd.DataFrame:
    rows = []
    for m in months:
        active = (spells["start"] < m) & (spells["lapse"] >= m)
        lapsed = active & (spells["lapse"] < m + pd.DateOffset(months=1)) & (spells["lapse"] <= data_end)
        rows.append({"month": m.date(), "active": int(active.sum()), "churned": int(lapsed.sum())})
    return pd.DataFrame(rows)


def test_behavioural_monthly_churn_matches_pandas(demo_ws, demo_raw):
    orders = demo_raw["orders"]
    start, end = default_period(orders)
    months = pd.date_range(start.replace(day=1), end, freq="MS")
    expected = pandas_monthly(pandas_spells(orders, 60), months, end)
    pv = page_view(demo_ws, "churn?churn=behavioural&days=60")
    got = pv.trend
    assert list(got["month"]) == list(expected["month"])
    assert list(got["active"]) == list(expected["active"])
    assert list(got["churned"]) == list(expected["churned"])
    assert not got["provisional"].any()  # the demo ends on a month end
    assert pv.kpis["churn_rate"].value == pytest.approx(expected["churned"].sum() / expected["active"].sum())
    assert pv.definition.reason == "user"


@pytest.mark.parametrize(
    "query, whole",
    [
        ("region=East", True),
        ("segment=SMB&days=30", True),
        ("channel=App", False),
        ("channel=App&channel=Store", False),
    ],
)
def test_behavioural_churn_under_filters_matches_pandas(demo_ws, demo_raw, query, whole):
    """Spells of the filtered orders: read from the fact's previous-order day where the filters
    keep each customer's orders whole (region and segment in the demo), recomputed otherwise."""
    from insight.domain import spells

    orders, customers = demo_raw["orders"], demo_raw["customers"]
    start, end = default_period(orders)
    filters = Filters.from_query(f"churn=behavioural&{query}")[0]
    n = int(dict(filters.extra).get("days", 90))
    kept = orders
    for key, values in filters.dims:
        owner = customers if key == "segment" else orders
        ids = owner.loc[owner[key].isin(values), "customer_id"] if key == "segment" else None
        kept = kept[kept["customer_id"].isin(ids)] if ids is not None else kept[kept[key].isin(values)]
    months = pd.date_range(start.replace(day=1), end, freq="MS")
    expected = pandas_monthly(pandas_spells(kept, n), months, end)
    scope = Scope.open(demo_ws, filters)
    assert spells.whole_customers(scope) is whole
    got = churn.trend(scope, churn.definition(scope)[0])
    assert list(got["active"]) == list(expected["active"]) and list(got["churned"]) == list(expected["churned"])
    assert expected["churned"].sum() > 0


@pytest.mark.parametrize("attr", ["contract", "channel"])
def test_behavioural_churn_by_attribute_pools_customer_months(demo_ws, demo_raw, attr):
    """Customer-months at risk and lapses per value of a customers column, or of the channel of
    each customer's first counted order (joined to the spells by the integer customer key)."""
    orders, customers = demo_raw["orders"], demo_raw["customers"]
    start, end = default_period(orders)
    values = customers[["customer_id", "contract"]]
    if attr == "channel":
        counted = valid_orders(orders).sort_values("order_date", kind="stable")
        values = counted.groupby("customer_id")["channel"].first().rename("contract").reset_index()
    spells = pandas_spells(orders, 90).merge(values, on="customer_id")
    rows = []
    for m in pd.date_range(start.replace(day=1), end, freq="MS"):
        active = spells[(spells["start"] < m) & (spells["lapse"] >= m)]
        lapsed = (active["lapse"] < m + pd.DateOffset(months=1)) & (active["lapse"] <= end)
        rows.append(active.assign(churned=lapsed)[["contract", "churned"]])
    expected = pd.concat(rows).groupby("contract")["churned"].agg(["size", "sum"])
    got = tables(demo_ws, f"churn?churn=behavioural&tab=attribute&attr={attr}")["churn_by"].set_index("value")
    assert len(got) == len(expected) > 1
    for contract, row in expected.iterrows():
        assert (got.loc[contract, "customers"], got.loc[contract, "churned"]) == (row["size"], row["sum"])


def test_explicit_trend_uses_churn_dates(demo_ws, demo_raw):
    c, orders = demo_raw["customers"], demo_raw["orders"]
    start, end = default_period(orders)
    e = c["churn_date"].dt.normalize()
    got = tables(demo_ws, "churn")["trend"]
    for row in got.itertuples():
        m = pd.Timestamp(row.month)
        base = c["signup_date"].isna() | (pd.to_datetime(c["signup_date"]) < m)
        active = base & (~c["churned"] | (e >= m))
        churned = base & c["churned"] & (e >= m) & (e < m + pd.DateOffset(months=1))
        assert (row.active, row.churned) == (active.sum(), churned.sum())


def pandas_cohorts(orders: pd.DataFrame, start, end) -> dict[tuple[str, int], tuple[int, int]]:
    o = valid_orders(orders).assign(m=lambda f: f["order_date"].dt.to_period("M"))
    first = o.groupby("customer_id")["m"].min().rename("cohort")
    o = o.join(first, on="customer_id")
    last_done = (end + pd.Timedelta(days=1)).to_period("M") - 1  # the last month that has ended
    out = {}
    for cohort, members in o.groupby("cohort"):
        if not (start.to_period("M") <= cohort <= end.to_period("M")) or cohort > last_done:
            continue
        size = members["customer_id"].nunique()
        for k in range((last_done - cohort).n + 1):
            out[(str(cohort), k)] = (size, members.loc[members["m"] == cohort + k, "customer_id"].nunique())
    return out


def test_retention_cohorts_match_pandas(demo_ws, demo_raw):
    orders = demo_raw["orders"]
    start, end = default_period(orders)
    expected = pandas_cohorts(orders, start, end)
    got = tables(demo_ws, "churn?tab=cohorts")["retention"]
    assert {(r.cohort, r.offset): (r.customers, r.retained) for r in got.itertuples()} == expected
    assert got["retention"].between(0, 1).all() and (got.loc[got["offset"] == 0, "retention"] == 1).all()


@pytest.mark.parametrize(
    "query, whole", [("region=East", True), ("segment=SMB&region=North", True), ("channel=App", False)]
)
def test_retention_cohorts_under_filters_match_pandas(demo_ws, demo_raw, query, whole):
    """Cohorts of the filtered orders: read from the fact's first order day where the filters keep
    each customer's orders whole, grouped from the kept orders otherwise."""
    from insight.domain import spells

    orders, customers = demo_raw["orders"], demo_raw["customers"]
    start, end = default_period(orders)
    kept = orders
    for key, values in Filters.from_query(query)[0].dims:
        if key == "segment":
            kept = kept[kept["customer_id"].isin(customers.loc[customers[key].isin(values), "customer_id"])]
        else:
            kept = kept[kept[key].isin(values)]
    expected = pandas_cohorts(kept, start, end)
    assert spells.whole_customers(Scope.open(demo_ws, Filters.from_query(query)[0])) is whole
    got = tables(demo_ws, f"churn?tab=cohorts&{query}")["retention"]
    assert {(r.cohort, r.offset): (r.customers, r.retained) for r in got.itertuples()} == expected
    assert len(expected) > 10


@pytest.mark.parametrize(
    "query", ["", "region=East", "channel=App", "channel=Store&channel=App&segment=SMB", "category=Mobile"]
)
def test_retention_card_matches_pandas_cohorts(demo_ws, demo_raw, query):
    """The month-3 retention card, counted over the customer days where the filters split
    customers' orders (no cohort matrix), pools the cohorts' month-3 cells as pandas does."""
    orders, customers = demo_raw["orders"], demo_raw["customers"]
    start, end = default_period(orders)
    kept = orders
    for key, values in Filters.from_query(query)[0].dims:
        if key in orders.columns:
            kept = kept[kept[key].isin(values)]
        else:
            kept = kept[kept["customer_id"].isin(customers.loc[customers[key].isin(values), "customer_id"])]
    cells = [v for (_, k), v in pandas_cohorts(kept, start, end).items() if k == 3]
    expected = sum(r for _, r in cells) / sum(n for n, _ in cells)
    from insight.domain import spells

    split = not spells.whole_customers(Scope.open(demo_ws, Filters.from_query(query)[0]))
    assert split is (query not in ("", "region=East"))  # (split: counted over the customer days)
    card = page_view(demo_ws, f"churn?{query}", everything=False).kpis["retention_m3"].value
    assert card == pytest.approx(expected, rel=1e-12) and 0 < expected < 1 and len(cells) > 3


def test_incomplete_months_are_provisional_and_masked(ws, demo_raw):
    """Data ending mid-month: the trend marks that month provisional, and no cohort cell of it
    appears (masked, not 0)."""
    orders = demo_raw["orders"]
    cut = orders[orders["order_date"] < "2026-10-16"]
    ws.publish_frames({"orders": cut, "customers": demo_raw["customers"].drop(columns=["churned", "churn_date"])}, "t")
    pv = page_view(ws, "churn")
    assert pv.definition.reason == "no_flag"
    trend = pv.trend
    assert list(trend["provisional"]) == [False] * (len(trend) - 1) + [True]
    assert str(trend["month"].iloc[-1]) == "2026-10-01"
    retention = pv.retention
    months = pd.PeriodIndex(retention["cohort"], freq="M") + retention["offset"].to_numpy()
    assert months.max() == pd.Period("2026-09", "M")  # October has not ended: no cell for it
    start, end = default_period(cut)
    assert len(retention) == len(pandas_cohorts(cut, start, end))
    # The headline pools complete months only.
    final = trend[~trend["provisional"]]
    assert pv.kpis["churn_rate"].value == pytest.approx(final["churned"].sum() / final["active"].sum())


def test_complaints_against_churn_matches_pandas(demo_ws, demo_raw):
    c, tickets, orders = demo_raw["customers"], demo_raw["tickets"], demo_raw["orders"]
    _, end = default_period(orders)
    cut = end - pd.Timedelta(days=90)
    gone = c["churned"] & (c["churn_date"].isna() | (c["churn_date"] <= cut))
    pop = c[~gone & (pd.to_datetime(c["signup_date"]) <= cut)]
    window = tickets[
        tickets["is_complaint"].fillna(True)
        & (tickets["created_at"] > cut - pd.Timedelta(days=90))
        & (tickets["created_at"] < cut + pd.Timedelta(days=1))
    ]
    complained = pop["customer_id"].isin(window["customer_id"])
    churned = pop["churned"] & (pop["churn_date"] <= cut + pd.Timedelta(days=90))
    got = tables(demo_ws, "churn")["complaints_churn"].set_index("value")
    for name, mask in (("complained", complained), ("not_complained", ~complained)):
        assert (got.loc[name, "customers"], got.loc[name, "churned"]) == (mask.sum(), (churned & mask).sum())
    diff = churned[complained].mean() - churned[~complained].mean()
    assert got.loc["difference", "churn_rate"] == pytest.approx(diff)
    assert got.loc["difference", "low"] > 0  # the demo's complainers churn more, beyond doubt
    assert got.loc["difference", "low"] < diff < got.loc["difference", "high"]


def test_demo_model_beats_its_baselines_on_a_later_cutoff(demo_ws):
    t = tables(demo_ws, "churn?churn=behavioural&tab=risk")
    m = t["model"].iloc[0]
    assert m["mode"] == "temporal"
    train = [dt.date.fromisoformat(c) for c in m["train_cutoffs"].split(", ")]
    assert max(train) < m["eval_cutoff"] and m["eval_cutoff"] + dt.timedelta(days=90) <= m["as_of"]
    assert m["roc_auc"] > m["baseline_roc_auc"] + 0.2
    assert m["roc_auc"] > m["rule_roc_auc"]
    assert m["pr_auc"] > m["baseline_pr_auc"] + 0.2
    assert set(t["calibration"].columns) == {"predicted", "observed"} and len(t["calibration"]) >= 5
    assert t["importance"]["feature"].iloc[0] == "recency_days"  # lapsing is what behavioural churn is


def test_leakage_guard_refuses_a_feature_measured_at_the_label_date(demo_ws):
    scope = Scope.open(demo_ws, Filters.from_query("churn=behavioural")[0])
    d, _ = churn.definition(scope)
    leaky = Feature("recency_at_label", "num", known_at="label", expr="datediff('day', max(t._day), ?)")
    model = churn_model.train(scope, d, extra=(leaky,))
    assert "recency_at_label" not in model.features
    assert "label date" in str(model.refused["recency_at_label"])
    with pytest.raises(ValueError, match="leakage"):
        features.frame_at(scope, d, scope.data_end - dt.timedelta(days=90), [leaky])
    # Snapshot measures are refused from a temporal model, and anything named after the label.
    kept, refused = guard.guard(
        [
            Feature("tenure_months", "num", "snapshot", "customers"),
            Feature("churn_score", "num", "static", "customers"),
        ],
        temporal=True,
    )
    assert not kept and set(refused) == {"tenure_months", "churn_score"}


def test_invalid_churn_options_give_notes(telco):
    pv = page_view(telco, "churn?churn=behavioural&days=abc&attr=nope")
    assert any("churn=behavioural ignored" in str(n) for n in pv.notes)
    assert any("days='abc' ignored" in str(n) for n in pv.notes)
    assert any("attr='nope' ignored" in str(n) for n in pv.notes)
    assert pv.churn_by["attribute"].iloc[0] == "contract"


def test_cli_view_churn(demo_ws, demo_raw):
    result = view_json(demo_ws, "churn?churn=behavioural&days=60&tab=attribute&attr=contract")
    orders = demo_raw["orders"]
    start, end = default_period(orders)
    expected = pandas_monthly(pandas_spells(orders, 60), pd.date_range(start.replace(day=1), end, freq="MS"), end)
    assert result["kpis"]["churn_rate"] == pytest.approx(expected["churned"].sum() / expected["active"].sum())
    assert {r["value"] for r in result["tables"]["churn_by"]} == {"Month-to-month", "One year", "Two year"}
    assert {"cohort", "offset", "retention"} <= set(result["tables"]["retention"][0])


def test_without_a_flag_the_overview_shows_behavioural_churn(ws):
    from tests.conftest import RETAIL

    import_file(ws, RETAIL, "orders")
    overview, page = page_view(ws, "overview"), page_view(ws, "churn")
    assert page.definition.reason == "no_flag"
    assert overview.kpis["churn_rate"].available
    assert overview.kpis["churn_rate"].value == pytest.approx(page.kpis["churn_rate"].value)
    trend = page.trend
    final = trend[~trend["provisional"]]
    assert page.kpis["churn_rate"].value == pytest.approx(final["churned"].sum() / final["active"].sum())


def test_retention_list_export_carries_attributes_and_its_trace(demo_ws):
    scope = Scope.open(demo_ws, Filters.from_query("churn=behavioural&region=East")[0])
    d, _ = churn.definition(scope)
    model = churn_model.train(scope, d)
    listed, trace = churn_model.retention_list(scope, model, str, ("contract", "region"))
    customers = demo_ws.query("SELECT customer_id, contract, region FROM customers").set_index("customer_id")
    assert (listed["region"] == "East").all()  # the filter holds, and the attribute is the customer's own
    assert (listed.set_index("customer_id")["contract"] == customers.loc[listed["customer_id"], "contract"]).all()
    rows = dict(zip(trace["filter"], trace["values"], strict=True))
    assert (
        rows["region"] == "East" and rows["churn"] == "behavioural, 90 days" and rows["customers"] == str(len(listed))
    )


# --- a bounded sample ------------------------------------------------------------------------


def test_the_model_learns_from_a_bounded_sample_and_says_so(demo_ws, demo_raw, monkeypatch):
    monkeypatch.setattr(settings, "CHURN_SAMPLE_CUSTOMERS", 1_500)
    monkeypatch.setattr(settings, "CHURN_FIT_SAMPLE", 2_000)
    scope = Scope.open(demo_ws, Filters.from_query("churn=behavioural")[0])
    d, _ = churn.definition(scope)
    within = features.sample(scope, d)
    assert (within.taken, within.total) == (1_500, valid_orders(demo_raw["orders"])["customer_id"].nunique())
    assert features.sample(scope, d) == within  # a fixed sample
    offered, _ = guard.guard(features.candidate_features(scope, True), temporal=True)
    day = scope.data_end - dt.timedelta(days=90)
    full = features.frame_at(scope, d, day, offered)
    part = features.frame_at(scope, d, day, offered, within=within)
    # Sampled customers carry exactly the features (and labels) the full computation gives them.
    assert 0 < len(part) < len(full)
    pd.testing.assert_frame_equal(part, full[full["customer_id"].isin(part["customer_id"])].reset_index(drop=True))
    earlier = features.frame_at(scope, d, day - dt.timedelta(days=90), offered, within=within)
    assert len(set(part["customer_id"]) | set(earlier["customer_id"])) <= 1_500  # the same customers at each cutoff
    model = churn_model.train(scope, d)
    assert model.metrics["train_rows"] == 2_000 and model.metrics["test_rows"] == len(part)
    assert len(model.scores) == len(features.frame_at(scope, d, scope.data_end, offered, labelled=False))
    assert model.metrics["roc_auc"] > model.metrics["baseline_roc_auc"] + 0.2
    notes = page_view(demo_ws, "churn?churn=behavioural&tab=risk").notes
    said = {n.key: dict(n.values) for n in notes if n.key.startswith("churn.model.sampled")}
    assert said["churn.model.sampled"] == {"sample": "1,500", "total": f"{within.total:,}"}
    assert said["churn.model.sampled_rows"]["sample"] == "2,000"
    assert int(said["churn.model.sampled_rows"]["total"].replace(",", "")) > 2_000
    assert any("1,500" in n.text("zh") and "流失风险模型" in n.text("zh") for n in notes)


def test_a_snapshot_model_on_a_bounded_sample_still_scores_everyone(telco, telco_raw, monkeypatch):
    monkeypatch.setattr(settings, "CHURN_SAMPLE_CUSTOMERS", 3_000)
    pv = page_view(telco, "churn?tab=risk")
    m = pv.model
    assert (m["train_rows"], m["test_rows"]) == (2_250, 750)
    assert pv.at_risk_count.customers == (telco_raw["Churn"] == "No").sum()
    note = next(n for n in pv.notes if n.key == "churn.model.sampled")
    assert dict(note.values) == {"sample": "3,000", "total": f"{len(telco_raw):,}"}
    assert m["roc_auc"] > m["baseline_roc_auc"] + 0.2
