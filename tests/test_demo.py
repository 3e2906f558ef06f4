"""The demo generator: deterministic, the documented columns, and each point of the story."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.demo import generate

START, END = pd.Timestamp("2024-11-01"), pd.Timestamp("2026-11-01")  # data covers [START, END)
SLA_HOURS = {"urgent": 4, "high": 24, "medium": 72, "low": 120}

COLUMNS = {
    "customers": [
        "customer_id", "name", "signup_date", "region", "city", "segment", "tier", "industry",
        "gender", "age", "plan", "contract", "tenure_months", "monthly_charges", "churned",
        "churn_date",
    ],
    "orders": [
        "order_id", "customer_id", "order_date", "amount", "quantity", "unit_price", "product",
        "category", "channel", "region", "campaign_id", "status",
    ],
    "tickets": [
        "ticket_id", "customer_id", "created_at", "first_response_at", "resolved_at", "due_at",
        "channel", "category", "subcategory", "priority", "status", "is_complaint",
        "first_contact_resolved", "satisfaction", "text",
    ],
    "campaigns": [
        "campaign_id", "name", "channel", "start_date", "end_date", "spend", "target_segment",
    ],
    "contacts": [
        "campaign_id", "customer_id", "contacted_at", "group", "responded", "converted", "revenue",
    ],
}  # fmt: skip
DATES = {
    "customers": ["signup_date", "churn_date"],
    "orders": ["order_date"],
    "tickets": ["created_at", "first_response_at", "resolved_at", "due_at"],
    "campaigns": ["start_date", "end_date"],
    "contacts": ["contacted_at"],
}
NUMBERS = {
    "customers": ["age", "tenure_months", "monthly_charges"],
    "orders": ["amount", "quantity", "unit_price"],
    "tickets": ["satisfaction"],
    "campaigns": ["spend"],
    "contacts": ["revenue"],
}
BOOLS = {
    "customers": ["churned"],
    "tickets": ["is_complaint", "first_contact_resolved"],
    "contacts": ["responded", "converted"],
}


@pytest.fixture(scope="module")
def demo():
    return generate(customers=3000, orders=60_000, seed=7)


@pytest.fixture(scope="module")
def default_demo():
    return generate()


def completed(demo):
    orders = demo["orders"]
    return orders[orders["status"] == "completed"]


def with_segment(demo):
    return completed(demo).merge(demo["customers"][["customer_id", "segment"]], on="customer_id")


# --- shape -------------------------------------------------------------------------------------


def test_same_arguments_give_identical_frames(demo):
    again = generate(customers=3000, orders=60_000, seed=7)
    for table, frame in demo.items():
        pd.testing.assert_frame_equal(frame, again[table], check_exact=True)


def test_another_seed_gives_other_data(demo):
    other = generate(customers=3000, orders=60_000, seed=8)
    assert not other["orders"].equals(demo["orders"])
    assert not other["customers"].equals(demo["customers"])


def test_columns_and_types(demo):
    assert set(demo) == set(COLUMNS)
    for table, columns in COLUMNS.items():
        frame = demo[table]
        assert list(frame.columns) == columns, table
        for col in columns:
            dtype = frame[col].dtype
            if col in DATES[table]:
                assert pd.api.types.is_datetime64_dtype(dtype), (table, col, dtype)
                assert getattr(dtype, "tz", None) is None
            elif col in NUMBERS.get(table, []):
                assert pd.api.types.is_numeric_dtype(dtype), (table, col, dtype)
            elif col in BOOLS.get(table, []):
                assert pd.api.types.is_bool_dtype(dtype), (table, col, dtype)
            else:
                assert pd.api.types.is_string_dtype(dtype), (table, col, dtype)


def test_sizes_ids_and_keys(demo):
    customers, orders, tickets = demo["customers"], demo["orders"], demo["tickets"]
    assert len(customers) == 3000 and len(orders) == 60_000
    assert abs(len(tickets) - 60_000 / 8) <= 1
    assert customers["customer_id"].iloc[0] == "C000001"
    assert orders["order_id"].str.fullmatch(r"O\d{7}").all() and orders["order_id"].is_unique
    assert tickets["ticket_id"].str.fullmatch(r"T\d{6}").all() and tickets["ticket_id"].is_unique
    assert customers["customer_id"].str.fullmatch(r"C\d{6}").all()
    known = set(customers["customer_id"])
    for table in ("orders", "tickets", "contacts"):
        assert set(demo[table]["customer_id"]) <= known, table
    assert list(demo["campaigns"]["campaign_id"]) == [f"CMP0{i}" for i in range(1, 7)]
    assert orders["order_date"].is_monotonic_increasing
    for table, cols in DATES.items():
        for col in cols:
            if col == "due_at":  # a deadline may lie after the end of the data
                continue
            values = demo[table][col].dropna()
            assert values.min() >= pd.Timestamp("2019-01-01") and values.max() < END, (table, col)


def test_customer_attributes(demo):
    c = demo["customers"]
    assert set(c["region"]) == {"East", "North", "South", "West", "Central"}
    assert set(c["segment"]) == {"Consumer", "SMB", "Enterprise", "Government"}
    assert c.groupby("region")["city"].nunique().between(2, 5).all()
    assert c["tier"].isna().all()
    consumer = c["segment"] == "Consumer"
    assert c.loc[consumer, "industry"].isna().all() and c.loc[~consumer, "industry"].notna().all()
    assert {"Retail", "Finance", "Public sector"} <= set(c["industry"].dropna())
    assert set(c.loc[consumer, "gender"]) == {"F", "M"} and c.loc[~consumer, "gender"].isna().all()
    assert c.loc[consumer, "age"].between(18, 100).all() and c.loc[~consumer, "age"].isna().all()
    assert set(c["plan"]) == {"Basic", "Standard", "Premium"}
    assert set(c["contract"]) == {"Month-to-month", "One year", "Two year"}
    assert (c["tenure_months"] >= 0).all() and (c["monthly_charges"] > 0).all()
    chinese = c["name"].str.contains(r"[\u4e00-\u9fff]")
    assert 0.3 < chinese.mean() < 0.8 and c["name"].str.fullmatch(r"[A-Za-z]+ [A-Za-z]+").any()


def test_order_lines_add_up(demo):
    o = demo["orders"]
    assert np.allclose(o["amount"], (o["quantity"] * o["unit_price"]).round(2), atol=0.005)
    assert (o.loc[o["status"] == "completed", "amount"] > 0).all() and (o["quantity"] >= 1).all()
    share = o["status"].value_counts(normalize=True)
    assert 0.02 < share["cancelled"] < 0.04 and 0.01 < share["returned"] < 0.03
    region = o.merge(demo["customers"][["customer_id", "region"]], on="customer_id")
    assert (region["region_x"] == region["region_y"]).all()
    assert set(o["channel"]) == {
        "Store", "Online", "App", "WeChat", "Hotline", "Account manager", "Partner",
    }  # fmt: skip


# --- the story ---------------------------------------------------------------------------------


def test_1_revenue_is_pareto(demo):
    customers = demo["customers"]["customer_id"]
    revenue = completed(demo).groupby("customer_id")["amount"].sum()
    revenue = revenue.reindex(customers, fill_value=0).sort_values(ascending=False)
    top = revenue.iloc[: len(revenue) // 5].sum() / revenue.sum()
    assert 0.60 <= top <= 0.80


def test_2_segments_and_regions_differ(demo):
    o = with_segment(demo)
    by_segment = o.groupby("segment")["amount"].agg(["size", "mean"])
    big = o[o["segment"].isin(["Enterprise", "Government"])]
    assert big["amount"].mean() > 5 * by_segment.loc["Consumer", "mean"]
    assert by_segment.loc["Enterprise", "size"] < by_segment.loc["Consumer", "size"] / 5
    assert big["channel"].isin(["Account manager", "Partner"]).mean() > 0.6
    consumer = o[o["segment"] == "Consumer"]
    assert consumer["channel"].isin(["Account manager", "Partner"]).mean() < 0.1
    per_customer = o.groupby("region")["amount"].sum() / demo["customers"].groupby("region").size()
    assert per_customer.max() > 1.2 * per_customer.min()


def test_3_channels_shift_from_store_to_app(demo):
    o = demo["orders"]
    month = o["order_date"].dt.to_period("M")
    share = pd.crosstab(month, o["channel"], normalize="index")
    first, last = share.iloc[:3].mean(), share.iloc[-3:].mean()
    assert first["Store"] > 0.30 and last["Store"] < 0.20
    assert first["App"] < 0.15 and last["App"] > 0.25


def test_4_revenue_peaks_in_winter_and_dips_in_summer(demo):
    o = completed(demo)
    monthly = o.groupby(o["order_date"].dt.to_period("M"))["amount"].sum()
    by_month = monthly.groupby(monthly.index.month).mean()
    summer = by_month[[7, 8]].mean()
    assert by_month[[11, 12]].mean() > 1.2 * summer
    assert by_month[[1, 2]].mean() > 1.1 * summer
    assert by_month.idxmax() in {11, 12, 1, 2} and by_month.idxmin() in {6, 7, 8}


def test_5_complainers_churn_more_and_churned_customers_stop_ordering(demo):
    c, t, o = demo["customers"], demo["tickets"], demo["orders"]
    assert 0.15 <= c["churned"].mean() <= 0.25
    complained = c["customer_id"].isin(t.loc[t["is_complaint"], "customer_id"])
    assert c.loc[complained, "churned"].mean() >= 1.5 * c.loc[~complained, "churned"].mean()
    assert (c["churn_date"].notna() == c["churned"]).all()
    churn = c.loc[c["churned"], "churn_date"]
    assert churn.min() >= START and churn.max() < END
    assert (churn > c.loc[c["churned"], "signup_date"]).all()
    first_complaint = t[t["is_complaint"]].groupby("customer_id")["created_at"].min()
    churned = c[c["churned"] & complained].set_index("customer_id")["churn_date"]
    assert (first_complaint.reindex(churned.index) < churned).all()
    last = o.groupby("customer_id")["order_date"].max()
    after = last.reindex(c.loc[c["churned"], "customer_id"]).to_numpy() >= churn.to_numpy()
    assert not after.any()


def test_6_tickets_breach_slas_and_slow_tickets_score_lower(demo):
    t = demo["tickets"]
    categories = {"Billing", "Network/quality", "Delivery", "Product defect"}
    assert set(t["category"]) == categories | {"Service attitude", "Refund"}
    assert t.groupby("category")["subcategory"].nunique().between(2, 4).all()
    assert set(t["priority"]) == set(SLA_HOURS) and set(t["status"]) == {
        "resolved",
        "closed",
        "open",
    }
    sla = pd.to_timedelta(t["priority"].map(SLA_HOURS), unit="h")
    assert (t["due_at"] == t["created_at"] + sla).all()
    assert 0.6 < t["is_complaint"].mean() < 0.8
    is_open = t["status"] == "open"
    assert (t["resolved_at"].isna() == is_open).all() and t.loc[is_open, "satisfaction"].isna().all()
    assert (t["first_response_at"].dropna() >= t["created_at"][t["first_response_at"].notna()]).all()
    assert 0.03 <= is_open.mean() <= 0.08
    opened = t.loc[is_open, "created_at"]
    assert (opened >= END - pd.Timedelta(weeks=8)).mean() > 0.5
    assert (t.loc[is_open, "due_at"] < END).any()  # some open tickets are overdue

    done = t[~is_open].assign(late=lambda d: d["resolved_at"] > d["due_at"])
    assert (done["resolved_at"] >= done["created_at"]).all()
    assert 0.15 <= done["late"].mean() <= 0.25
    by_category = done.groupby("category")["late"].mean()
    slow = by_category[["Network/quality", "Delivery"]].min()
    assert slow > by_category.drop(["Network/quality", "Delivery"]).max()
    csat = done.groupby("late")["satisfaction"].mean()
    assert csat[False] - csat[True] >= 0.7
    assert 0.2 < t["satisfaction"].isna().mean() < 0.45
    assert t["satisfaction"].dropna().isin([1, 2, 3, 4, 5]).all()


def test_6_ticket_texts_mix_english_and_chinese(demo):
    text = demo["tickets"]["text"]
    chinese = text.str.contains(r"[\u4e00-\u9fff]")
    assert 0.3 < chinese.mean() < 0.8
    assert text.str.contains("账单扣费错误，多收了费用").any()
    assert text.str.contains("Charged twice on my bill").any()


def conversion(contacts, campaign):
    rows = contacts[contacts["campaign_id"] == campaign]
    return rows.groupby("group")["converted"].agg(["mean", "sum", "size"])


def test_7_cmp01_has_uplift_and_cmp02_has_none(demo):
    co = demo["contacts"]
    assert 0.07 < (co["group"] == "control").mean() < 0.13
    cmp01, cmp02 = conversion(co, "CMP01"), conversion(co, "CMP02")
    assert 0.10 <= cmp01.loc["treatment", "mean"] <= 0.14
    assert 0.03 <= cmp01.loc["control", "mean"] <= 0.09
    assert 0.06 <= cmp02.loc["treatment", "mean"] <= 0.10
    assert 0.06 <= cmp02.loc["control", "mean"] <= 0.10
    assert abs(cmp02.loc["treatment", "mean"] - cmp02.loc["control", "mean"]) < 0.02
    assert (co.loc[~co["converted"], "revenue"] == 0).all()
    assert (co.loc[co["converted"], "revenue"] > 0).all()
    assert not co.loc[co["group"] == "control", "responded"].any()


def test_7_cmp01_uplift_is_significant_at_default_size(default_demo):
    stats = conversion(default_demo["contacts"], "CMP01")
    p1, n1 = stats.loc["treatment", "mean"], stats.loc["treatment", "size"]
    p0, n0 = stats.loc["control", "mean"], stats.loc["control", "size"]
    pooled = (stats["sum"].sum()) / stats["size"].sum()
    z = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert z > 1.96


def test_7_contacts_reach_part_of_the_target_and_orders_are_attributed(demo):
    c, co, ca, o = demo["customers"], demo["contacts"], demo["campaigns"], demo["orders"]
    for row in ca.itertuples():
        target = c if row.target_segment == "All" else c[c["segment"] == row.target_segment]
        contacted = co[co["campaign_id"] == row.campaign_id]
        assert 0.10 <= len(contacted) / len(target) <= 0.40, row.campaign_id
        window_end = row.end_date + pd.Timedelta(days=1)
        assert contacted["contacted_at"].between(row.start_date, window_end).all()
        assert contacted["customer_id"].is_unique
        who = contacted.merge(c, on="customer_id")
        assert (who["signup_date"] <= who["contacted_at"]).all()
        assert not (who["churn_date"] <= who["contacted_at"]).any()  # nobody contacted after churn
    assert (ca["spend"] > 0).all() and (ca["end_date"] > ca["start_date"]).all()

    tagged = o[o["campaign_id"].notna()]
    assert set(tagged["campaign_id"]) <= set(ca["campaign_id"])
    treated = co[co["group"] == "treatment"]
    pairs = tagged.merge(treated, on=["campaign_id", "customer_id"], how="left")
    lag = pairs["order_date"] - pairs["contacted_at"]
    assert lag.between(pd.Timedelta(0), pd.Timedelta(days=30)).all()
    # Every untagged order is outside 30 days after any treatment contact of its customer.
    untagged = o[o["campaign_id"].isna()].merge(treated, on="customer_id")
    gap = untagged["order_date"] - untagged["contacted_at"]
    assert not gap.between(pd.Timedelta(0), pd.Timedelta(days=30)).any()
    # Each converted treatment contact bought within the window, for its revenue.
    won = treated[treated["converted"]].merge(tagged, on=["campaign_id", "customer_id"])
    revenue = won.groupby(["campaign_id", "customer_id"])["amount"].apply(set)
    expected = treated[treated["converted"]].set_index(["campaign_id", "customer_id"])["revenue"]
    assert all(expected[key] in amounts for key, amounts in revenue.items())
    assert len(revenue) == len(expected)


def test_8_new_customers_every_month_and_no_order_before_signup(demo):
    c, o = demo["customers"], demo["orders"]
    new = c.loc[c["signup_date"] >= START, "signup_date"].dt.to_period("M")
    assert new.nunique() == 24 and new.value_counts().min() > 0
    assert 0.5 < (c["signup_date"] < START).mean() < 0.9
    joined = o.merge(c[["customer_id", "signup_date"]], on="customer_id")
    assert (joined["order_date"] >= joined["signup_date"]).all()
    assert o["order_date"].min() >= START and o["order_date"].max() < END
