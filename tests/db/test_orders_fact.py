"""The columns an orders import computes for its fact (insight/db/facts.py `orders_select`), which
the overview, channel and churn pages read, against pandas on generated files: rows in time order,
reversed and shuffled; timestamps shared by several orders of a customer; guest orders without a
customer; cancellations, returns and negative amounts; orders of several lines; blank channels.
Then the same after appending a second file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.db import facts
from insight.db.workspace import Workspace
from insight.ingest.importer import import_file

INTERNALS = ["_channel_code", "_cust", "_first_at", "_first_channel", "_first_channel_code", "_day", "_valid"]
INTERNALS += ["_order_first", "_prev_day", "_last_day"]


def generated(seed: int, n: int, order: str, lines: bool) -> pd.DataFrame:
    """An orders export: few distinct timestamps (so a customer's orders share some), 5 % guest
    orders, statuses in several spellings, some refunds written as negative amounts."""
    rng = np.random.default_rng(seed)
    stamps = pd.Timestamp("2025-03-01") + pd.to_timedelta(
        rng.integers(0, 90, 40) * 86400 + rng.integers(0, 3, 40) * 3600, unit="s"
    )
    ids = [f"S{seed}-{i}" for i in range(n)]
    if lines:  # orders of up to three lines: each line a row with the order's number
        ids = [f"S{seed}-{i // 3 if i % 7 else i}" for i in range(n)]
    frame = pd.DataFrame(
        {
            "order_id": ids,
            "customer_id": rng.choice([f"K{i:02d}" for i in range(25)], n),
            "order_date": rng.choice(stamps, n),
            "amount": rng.uniform(1, 400, n).round(2),
            "channel": rng.choice(["Store", "App", "Web", "Hotline", ""], n, p=[0.3, 0.3, 0.2, 0.15, 0.05]),
            "status": rng.choice(["completed", "Cancelled", "returned", "", "paid"], n, p=[0.5, 0.1, 0.1, 0.2, 0.1]),
        }
    )
    frame.loc[rng.random(n) < 0.05, "customer_id"] = ""
    refund = (rng.random(n) < 0.05) & (frame["status"] == "")
    frame.loc[refund, "amount"] = -frame.loc[refund, "amount"]
    frame = frame.sort_values("order_date", kind="stable")
    if order == "reversed":
        frame = frame.iloc[::-1]
    elif order == "shuffled":
        frame = frame.sample(frac=1, random_state=seed)
    return frame.reset_index(drop=True)


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's fact columns computed by pandas, from the definitions in insight/db/facts.py."""
    f = frame.copy()
    f["order_date"] = pd.to_datetime(f["order_date"])
    f["customer_id"] = f["customer_id"].replace("", None)
    f["channel"] = f["channel"].replace("", None)
    status = f["status"].fillna("").str.lower()
    status = status.where(~((status == "") & (f["amount"] < 0)), "returned")
    f["_valid"] = ~status.isin(["cancelled", "returned"])
    f["_day"] = f["order_date"].dt.normalize()
    channels = sorted(f["channel"].dropna().unique())
    f["_channel_code"] = f["channel"].map({c: i + 1 for i, c in enumerate(channels)})
    customers = sorted(f["customer_id"].dropna().unique())
    f["_cust"] = f["customer_id"].map({c: i + 1 for i, c in enumerate(customers)})
    counted = f[f["_valid"] & f["customer_id"].notna()]
    per = counted.groupby("customer_id")["order_date"]
    f["_first_at"] = f["customer_id"].map(per.min())
    f["_last_day"] = f["customer_id"].map(per.max().dt.normalize())
    first = counted.dropna(subset=["channel"]).sort_values(["order_date", "channel"]).groupby("customer_id").head(1)
    f["_first_channel"] = f["customer_id"].map(first.set_index("customer_id")["channel"])
    f["_first_channel_code"] = f["_first_channel"].map({c: i + 1 for i, c in enumerate(channels)})
    return f


def prev_days(customers, stamps, prev) -> dict:
    """{(customer, timestamp): the sorted previous counted order days of its counted orders} (orders
    sharing a timestamp may take the previous days in either order)."""
    out: dict = {}
    for key, day in zip(zip(customers, map(pd.Timestamp, stamps), strict=True), prev, strict=True):
        out.setdefault(key, []).append("-" if pd.isna(day) else str(pd.Timestamp(day).date()))
    return {k: sorted(v) for k, v in out.items()}


def published(ws: Workspace) -> pd.DataFrame:
    """The orders version as written (physical order), customers' rows only for `_prev_day`."""
    physical = ws.snapshot().tables["orders"]
    return ws.query(f'SELECT * FROM "{physical}" ORDER BY rowid', cap=10**7)


def check(got: pd.DataFrame, frame: pd.DataFrame) -> None:
    want = expected(frame)
    assert len(got) == len(want)
    assert got["order_date"].is_monotonic_increasing  # written in time order: period filters skip row groups
    key = ["order_id", "customer_id", "order_date", "amount", "channel"]
    got = got.assign(customer_id=got["customer_id"].astype(object).where(got["customer_id"].notna(), ""))
    got = got.assign(channel=got["channel"].astype(object).where(got["channel"].notna(), ""))
    want = want.assign(customer_id=want["customer_id"].fillna(""), channel=want["channel"].fillna(""))
    merged = got.sort_values(key, kind="stable").reset_index(drop=True)
    ours = want.sort_values(key, kind="stable").reset_index(drop=True)
    assert (merged[key].astype(str) == ours[key].astype(str)).all().all()
    for column in ["_valid", "_channel_code", "_cust", "_first_at", "_first_channel", "_first_channel_code"]:
        a, b = merged[column], ours[column]
        same = (a.isna() & b.isna()) | (a.astype(object) == b.astype(object))
        assert same.all(), (column, merged.loc[~same, [*key, column]].head(), ours.loc[~same, column].head())
    for column in ["_day", "_last_day"]:
        a, b = pd.to_datetime(merged[column]), pd.to_datetime(ours[column])
        assert ((a.isna() & b.isna()) | (a == b)).all(), column
    # Each counted order's previous counted order day of its customer; none for the others.
    mine = merged[(merged["customer_id"] != "") & merged["_valid"]]
    theirs = ours[(ours["customer_id"] != "") & ours["_valid"]].sort_values(
        ["customer_id", "order_date"], kind="stable"
    )
    pandas_prev = theirs.groupby("customer_id")["_day"].shift(1)
    assert prev_days(mine["customer_id"], mine["order_date"], mine["_prev_day"]) == prev_days(
        theirs["customer_id"], theirs["order_date"], pandas_prev
    )
    assert merged.loc[~merged["_valid"], "_prev_day"].isna().all()
    # One first line per order, a counted one where the order has one.
    firsts = merged[merged["_order_first"]]
    assert sorted(firsts["order_id"]) == sorted(merged["order_id"].unique())
    has_counted = merged.groupby("order_id")["_valid"].any()
    assert (firsts.set_index("order_id")["_valid"] == has_counted.loc[firsts["order_id"]]).all()


@pytest.mark.parametrize("order", ["time", "reversed", "shuffled"])
@pytest.mark.parametrize("lines", [False, True], ids=["one line per order", "orders of several lines"])
def test_the_fact_columns_of_an_import_match_pandas(tmp_path, order, lines):
    frame = generated(seed=len(order) + lines, n=1500, order=order, lines=lines)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    import_file(ws, tmp_path / "orders.csv", "orders")
    check(published(ws), frame)
    ws.close()


def test_the_fact_columns_match_pandas_after_an_append_out_of_order(tmp_path):
    """A second file, shuffled and earlier in time in part, appended: every row's columns are
    computed again over both files."""
    first = generated(seed=11, n=900, order="time", lines=True)
    second = generated(seed=12, n=700, order="shuffled", lines=False)
    second["order_date"] = pd.to_datetime(second["order_date"]) - pd.Timedelta(days=30)
    first.to_csv(tmp_path / "a.csv", index=False)
    second.to_csv(tmp_path / "b.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    import_file(ws, tmp_path / "a.csv", "orders")
    import_file(ws, tmp_path / "b.csv", "orders", mode="append")
    check(published(ws), pd.concat([first, second], ignore_index=True))
    ws.close()


def _fact(ws: Workspace) -> tuple[str, pd.DataFrame]:
    """The orders fact's kind (VIEW or TABLE) and its rows."""
    name = facts.fact_name(ws.snapshot(), "orders")
    kind = ws.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name])
    return ("VIEW" if kind else "TABLE"), ws.query(f'SELECT * FROM "{name}"', cap=10**7)


@pytest.mark.parametrize("seed", range(4))
def test_the_orders_fact_carries_its_customers_attributes_as_pandas_joins_them(tmp_path, seed):
    """An orders version published while customers are in force carries their segment and region
    (the order's own region winning), and its fact is a view of it; customers imported again (other
    values), the fact is a table joined to them. Either way each order's values are pandas' join."""
    rng = np.random.default_rng(seed)
    frame = generated(seed=seed, n=400, order="shuffled", lines=bool(seed % 2))
    frame["region"] = rng.choice(["East", "West", ""], len(frame))
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ws = Workspace(tmp_path / "ws.duckdb")
    for round_, kind in enumerate(["VIEW", "TABLE"]):
        customers = pd.DataFrame({"customer_id": [f"K{i:02d}" for i in range(25) if rng.random() < 0.8]})
        customers["segment"] = rng.choice(["SMB", "Consumer", None], len(customers))
        customers["region"] = rng.choice(["North", "South", None], len(customers))
        customers.to_csv(tmp_path / "customers.csv", index=False)
        import_file(ws, tmp_path / "customers.csv", "customers")
        if round_ == 0:
            import_file(ws, tmp_path / "orders.csv", "orders", mode="append" if seed > 1 else "replace")
        found, fact = _fact(ws)
        assert found == kind
        by_id = customers.set_index("customer_id")
        ids = frame["customer_id"].replace("", None)
        want = pd.DataFrame(
            {
                "order_id": frame["order_id"],
                "segment": ids.map(by_id["segment"]),
                "region": frame["region"].replace("", None).fillna(ids.map(by_id["region"])),
            }
        )
        got, want = ((f[["order_id", "segment", "region"]].fillna("-")) for f in (fact, want))
        assert sorted(map(tuple, got.values)) == sorted(map(tuple, want.values))
        assert not any(c.startswith(facts.DIM_PREFIX) for c in fact.columns)
    ws.close()


@pytest.mark.parametrize("seed", range(3))
def test_a_fact_built_as_a_table_keeps_the_versions_order_among_orders_at_one_time(tmp_path, seed):
    """Customers imported after the orders make the orders fact a table joined to them: its rows at
    one time stay in the version's order (queries break ties by the fact's row id: which line of an
    order is its first, a customer's first order), as pandas' stable sort of the version has them."""
    frame = generated(seed=seed, n=150_000, order="shuffled", lines=True)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    pd.DataFrame({"customer_id": [f"K{i:02d}" for i in range(25)], "segment": "SMB"}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    ws = Workspace(tmp_path / "ws.duckdb")
    import_file(ws, tmp_path / "orders.csv", "orders")
    import_file(ws, tmp_path / "customers.csv", "customers")
    found, _ = _fact(ws)
    assert found == "TABLE"
    assert_in_version_order(ws)
    ws.close()


def assert_in_version_order(ws: Workspace) -> None:
    """The orders fact's rows are pandas' stable sort of the version by time."""
    snap = ws.snapshot()
    version = ws.query(f'SELECT order_id, order_date FROM "{snap.tables["orders"]}" ORDER BY rowid', cap=10**7)
    fact = ws.query(f'SELECT order_id FROM "{facts.fact_name(snap, "orders")}" ORDER BY rowid', cap=10**7)
    assert fact["order_id"].tolist() == version.sort_values("order_date", kind="stable")["order_id"].tolist()


@pytest.mark.parametrize("customers", [False, True], ids=["orders alone", "customers in force"])
def test_an_app_with_a_new_fact_schema_rebuilds_an_older_apps_facts(tmp_path, monkeypatch, customers):
    """A workspace written by the app before the last FACT_SCHEMA raise (its facts named for that
    schema, its orders version marked with it), opened by this one: the named build step builds
    every fact again under this schema and drops the old ones; the orders fact's columns are
    pandas' and its rows keep the version's order at one time; an append then recomputes the old
    version's columns, its old mark among them, over both files."""
    old = facts.FACT_SCHEMA - 1
    frame = generated(seed=5, n=3000, order="shuffled", lines=True)
    frame.to_csv(tmp_path / "orders.csv", index=False)
    pd.DataFrame({"customer_id": [f"K{i:02d}" for i in range(25)], "segment": "SMB"}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    with monkeypatch.context() as patched:  # the previous app
        patched.setattr(facts, "FACT_SCHEMA", old)
        patched.setattr(facts, "ORDERS_MARK", f"_fact_s{old}")
        ws = Workspace(tmp_path / "ws.duckdb")
        if customers:
            import_file(ws, tmp_path / "customers.csv", "customers")
        import_file(ws, tmp_path / "orders.csv", "orders")
        ws.close()

    def stored() -> set[str]:
        return set(ws.query(facts._LIST_SQL)["name"])

    ws = Workspace(tmp_path / "ws.duckdb")
    assert stored() and all(name.endswith(f"_s{old}") for name in stored())
    facts.refresh(ws)
    snap = ws.snapshot()
    wanted = {facts.fact_name(snap, t) for t in (*facts.FACT_TABLES, *facts.DERIVED)} - {None}
    assert stored() == wanted and all(name.endswith(f"_s{facts.FACT_SCHEMA}") for name in wanted)
    kind, fact = _fact(ws)
    assert kind == "TABLE" and f"_fact_s{old}" not in fact.columns
    check(fact, frame)
    assert_in_version_order(ws)

    more = generated(seed=6, n=800, order="shuffled", lines=False)
    more.to_csv(tmp_path / "more.csv", index=False)
    import_file(ws, tmp_path / "more.csv", "orders", mode="append")
    version = published(ws)
    assert f"_fact_s{old}" not in version.columns and facts.ORDERS_MARK in version.columns
    check(version, pd.concat([frame, more], ignore_index=True))
    ws.close()
