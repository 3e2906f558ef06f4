"""Roles, row scopes applied where every query starts, default deny, per-scope caches, and the
same figures through the CLI's `--as`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from insight import cli
from insight.auth import access, users
from insight.auth.access import RowScope
from insight.domain import segments
from insight.errors import InsightError
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from insight.views import rows
from insight.views.views import kpis, page_view

EAST = RowScope.parse(["region=East"])


def test_roles_are_cumulative():
    order = {role: {a for a in access.ACTIONS if access.can(role, a)} for role in access.ROLES}
    for lower, higher in zip(access.ROLES, access.ROLES[1:], strict=False):
        assert order[lower] < order[higher]  # each role can do all the one before can, and more
    assert not access.can("viewer", "rows") and access.can("analyst", "export")
    assert not access.can("analyst", "upload") and access.can("marketer", "upload")
    assert not access.can("marketer", "delete") and access.can("admin", "audit")
    assert not access.may_open("viewer", "data") and access.may_open("marketer", "data")
    assert not access.may_open("marketer", "admin") and access.may_open(None, "overview") is False


@pytest.mark.parametrize(
    "items, expected",
    [
        (["region=East"], "region=East"),
        (["channel=Store,App", "region=East"], "channel=App,Store; region=East"),
        (["region=East", "region=North"], "region=East,North"),
        (["all"], "all"),
        ([], "none"),
    ],
)
def test_scope_parsing(items, expected):
    scope = RowScope.parse(items)
    assert scope.describe() == expected
    assert RowScope.from_json(scope.to_json()) == scope


@pytest.mark.parametrize("item", ["region", "region=", "tier=gold", "nowhere=x", "=East"])
def test_bad_scopes_are_refused(item):
    with pytest.raises(InsightError, match="--scope"):
        RowScope.parse([item])


def test_intersection_keeps_the_link_filters_and_notes_what_lies_outside():
    # A link's filters AND the user's rows: the filters stay as they are (West selects none of
    # an East-only user's rows); a note names what lies outside, and a link asking only for
    # rows outside the scope selects nothing (it used to drop West and show every East row).
    filters, _ = Filters.from_query("region=East&region=West&channel=App")
    kept, notes = EAST.intersect(filters)
    assert kept == filters and not EAST.excludes(filters)
    assert len(notes) == 1 and "region=West" in str(notes[0]) and "outside" in str(notes[0])
    west = Filters.from_query("region=West")[0]
    same, notes = EAST.intersect(west)
    assert same.values("region") == ("West",) and EAST.excludes(west)
    assert len(notes) == 1 and "shows nothing" in str(notes[0])
    assert not RowScope.all().excludes(west) and not EAST.excludes(Filters.from_query("channel=App")[0])


def east_figures(raw: dict, start: str, end: str) -> dict:
    o = raw["orders"]
    o = o[(o["order_date"] >= start) & (o["order_date"] < end) & (o["region"] == "East")]
    valid = o[~o["status"].isin(["cancelled", "returned"])]
    return {"revenue": valid["amount"].sum(), "orders": len(valid), "active": valid["customer_id"].nunique()}


def test_a_scoped_user_sees_exactly_their_rows(demo_ws, demo_raw):
    filters, _ = Filters.from_query("from=2026-01-01&to=2026-06-30")
    scope = Scope.open(demo_ws, filters, rows=EAST)
    got = kpis(scope)
    want = east_figures(demo_raw, "2026-01-01", "2026-07-01")
    assert got["revenue"].value == pytest.approx(want["revenue"])
    assert got["orders"].value == want["orders"] and got["active_customers"].value == want["active"]
    # every table of the scope holds East rows only (customers directly, contacts through them)
    customers = scope.query(f"SELECT DISTINCT region FROM {scope.table('customers')}")
    assert customers["region"].tolist() == ["East"]
    contacts = scope.query(f"SELECT customer_id FROM {scope.table('contacts')}")
    east = set(demo_raw["customers"].loc[demo_raw["customers"]["region"] == "East", "customer_id"])
    assert len(contacts) and set(contacts["customer_id"]) <= east
    # the rows behind a view and their export hold nothing else
    listed, truncated = rows.export(scope, "orders")
    assert (
        not truncated
        and set(listed["region"]) == {"East"}
        and len(listed)
        == len(demo_raw["orders"].query("region == 'East' and '2026-01-01' <= order_date < '2026-07-01'"))
    )


def test_default_deny(demo_ws):
    nothing = Scope.open(demo_ws, Filters(), rows=RowScope())
    assert all(k.value in (None, 0) for k in kpis(nothing).values())
    assert any("no rows" in str(n) for n in nothing.notes)
    # a scope whose values match nothing shows nothing
    nowhere = Scope.open(demo_ws, Filters(), rows=RowScope.parse(["region=Atlantis"]))
    assert nowhere.scalar(f"SELECT count(*) FROM {nowhere.table('orders')}") == 0
    # a table the scope cannot restrict shows no row: campaigns have no region and no customer
    assert nowhere.scalar(f"SELECT count(*) FROM {Scope.open(demo_ws, Filters(), rows=EAST).table('campaigns')}") == 0


def test_derived_tables_and_caches_are_keyed_by_scope(demo_ws):
    everyone = page_view(demo_ws, "segments?tab=rfm")
    east = page_view(demo_ws, "segments?tab=rfm", EAST)
    again = page_view(demo_ws, "segments?tab=rfm")
    assert everyone.kpis["segment_customers"].value > east.kpis["segment_customers"].value > 0
    assert again.kpis["segment_customers"].value == everyone.kpis["segment_customers"].value
    full, scoped = Scope.open(demo_ws, Filters()), Scope.open(demo_ws, Filters(), rows=EAST)
    # one fact for everyone, read through the scope's predicate; derived tables keyed by the scope
    assert full.snap.tables["orders"] == scoped.snap.tables["orders"] and full.table("orders") != scoped.table("orders")
    assert scoped.snap.rows == EAST.key and EAST.key in segments.with_segments(scoped).table(segments.SEGMENTS)


def objects(ws) -> set[str]:
    """Tables and views of the workspace file (not the in-memory scratch catalog)."""
    return set(
        ws.query(
            "SELECT table_name AS n FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
            "AND NOT internal"
        )["n"]
    )


def test_reads_never_write(demo_ws):
    """Scopes, row scopes, segments and churn spells create nothing in the workspace: the facts
    were built when the data was published, and a row scope is a predicate, not a copy."""
    before = objects(demo_ws)
    for scope in (None, EAST, RowScope.parse(["channel=App"]), RowScope()):
        for link in ("segments?tab=rfm", "churn?churn=behavioural&days=60", "overview?tier=gold"):
            page_view(demo_ws, link, scope)
    assert objects(demo_ws) == before and not any(n.startswith("_rows_") for n in before)


@pytest.mark.parametrize("value", ["East' OR '1'='1", "East\\' --", "东区'); DROP TABLE _users; --"])
def test_scope_values_are_data_not_sql(demo_ws, value):
    scope = Scope.open(demo_ws, Filters(), rows=RowScope.of({"region": [value]}))
    assert scope.scalar(f"SELECT count(*) FROM {scope.table('orders')}") == 0
    assert demo_ws.scalar("SELECT count(*) FROM _users") is not None


def run_cli(ws_path, *argv, stdin: str | None = None, capsys=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["--workspace", str(ws_path), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_users_and_view_as(demo_ws, demo_raw, capsys, monkeypatch):
    path = demo_ws.path
    demo_ws.close()
    from insight.db import workspace

    workspace._OPEN.clear()
    add = ("users", "add", "ann", "--role", "viewer", "--scope", "region=East", "--password-stdin", "--json")
    code, out, _ = run_cli(path, *add, stdin="a long password\n", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["scope"] == "region=East"
    link = "overview?from=2026-01-01&to=2026-06-30"
    code, out, _ = run_cli(path, "view", link, "--as", "ann", "--json", capsys=capsys)
    seen = json.loads(out)
    want = east_figures(demo_raw, "2026-01-01", "2026-07-01")
    assert code == 0 and seen["kpis"]["revenue"] == pytest.approx(want["revenue"])
    code, out, _ = run_cli(path, "view", link + "&region=East", "--json", capsys=capsys)
    assert json.loads(out)["kpis"] == seen["kpis"]  # the owner filtering East sees the same
    code, _, err = run_cli(path, "view", link, "--as", "nobody", capsys=capsys)
    assert code == 2 and "no user nobody" in err
    code, _, err = run_cli(path, "view", "data", "--as", "ann", capsys=capsys)
    assert code == 2 and "not open" in err
    code, out, _ = run_cli(path, "users", "scope", "ann", "region=West", "--json", capsys=capsys)
    assert json.loads(out)["scope"] == "region=West"
    code, out, _ = run_cli(path, "users", "list", "--json", capsys=capsys)
    assert [u["name"] for u in json.loads(out)["users"]] == ["ann"]
    code, out, _ = run_cli(path, "users", "remove", "ann", capsys=capsys)
    code, out, _ = run_cli(path, "audit", "--json", capsys=capsys)
    actions = [e["action"] for e in json.loads(out)["entries"]]
    assert actions == ["user_remove", "user_change", "user_add"]
    workspace._OPEN.clear()


def test_users_are_stored_with_argon2_hashes(ws):
    users.add(ws, "bo", "analyst", "correct horse", EAST)
    stored = ws.scalar("SELECT password_hash FROM _users WHERE name = 'bo'")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.authenticate(ws, "bo", "correct horse").rows == EAST
    with pytest.raises(InsightError, match="wrong user name or password"):
        users.authenticate(ws, "nobody", "correct horse")
    with pytest.raises(InsightError, match="at least"):
        users.add(ws, "cy", "viewer", "short")
    with pytest.raises(InsightError, match="last administrator"):
        users.add(ws, "root", "admin", "root password")
        users.remove(ws, "root")


def test_lockout_after_repeated_failures(ws):
    from insight import settings

    users.add(ws, "dee", "viewer", "the right one", EAST)
    for _ in range(settings.LOCKOUT_FAILURES):
        with pytest.raises(InsightError):
            users.authenticate(ws, "dee", "a wrong one")
    with pytest.raises(InsightError, match="locked"):
        users.authenticate(ws, "dee", "the right one")  # even the right password, while locked
    users.change(ws, "dee", unlock=True)
    assert users.authenticate(ws, "dee", "the right one").name == "dee"
    log = pd.DataFrame(users.audit.entries(ws))
    assert (log["action"] == "locked").sum() == 1 and (log["action"] == "signin_failed").sum() >= 5


def test_sessions_expire_and_end(ws):
    user = users.add(ws, "eve", "viewer", "eve password", EAST)
    token = users.start_session(ws, user)
    assert users.session_user(ws, token) == user and users.session_user(ws, token + "x") is None
    with ws.writer() as cur:
        cur.execute("UPDATE _sessions SET expires_at = TIMESTAMP '2000-01-01'")
    assert users.session_user(ws, token) is None
    token = users.start_session(ws, user)
    users.end_session(ws, token)
    assert users.session_user(ws, token) is None
    assert token not in ws.query("SELECT * FROM _sessions").to_string()  # only its hash is stored


def region_figures(raw: dict, start: str, end: str, regions: set[str]) -> dict:
    """Revenue, orders and active customers of the orders in `regions` (pandas)."""
    o = raw["orders"]
    o = o[(o["order_date"] >= start) & (o["order_date"] < end) & o["region"].isin(regions)]
    valid = o[~o["status"].isin(["cancelled", "returned"])]
    return {"revenue": valid["amount"].sum(), "orders": len(valid), "active": valid["customer_id"].nunique()}


def test_a_link_is_intersected_with_the_readers_rows(demo_ws, demo_raw, capsys, monkeypatch):
    """Issue 15: a link's filters AND the user's rows. A West-only link opened by an East-only user
    shows nothing (it used to drop West and show every East row); East+West shows East, noted."""
    path = demo_ws.path
    demo_ws.close()
    from insight.db import workspace

    workspace._OPEN.clear()
    add = ("users", "add", "ed", "--role", "viewer", "--scope", "region=East", "--password-stdin")
    assert run_cli(path, *add, stdin="a long password\n", capsys=capsys, monkeypatch=monkeypatch)[0] == 0
    period = "from=2026-01-01&to=2026-06-30"
    start, end = "2026-01-01", "2026-07-01"
    for page in ("overview", "channels", "segments", "complaints", "campaigns", "churn"):
        code, out, _ = run_cli(path, "view", f"{page}?{period}&region=West", "--as", "ed", "--json", capsys=capsys)
        seen = json.loads(out)
        assert code == 0 and seen["outside"] and seen["kpis"] == {} and seen["tables"] == {}, page
        assert any("region=West" in n["text"] and "outside" in n["text"] for n in seen["notes"]), page
    # what pandas says the intersection holds: West rows among East rows, none
    assert region_figures(demo_raw, start, end, {"West"} & {"East"})["orders"] == 0
    code, out, _ = run_cli(
        path, "view", f"overview?{period}&region=West&region=East", "--as", "ed", "--json", capsys=capsys
    )
    both = json.loads(out)
    east = region_figures(demo_raw, start, end, {"East"})
    assert not both["outside"] and both["kpis"]["revenue"] == pytest.approx(east["revenue"])
    assert both["kpis"]["orders"] == east["orders"] and both["kpis"]["active_customers"] == east["active"]
    assert any("region=West" in n["text"] for n in both["notes"])
    # the owner opening the West link sees West (the link itself is fine)
    code, out, _ = run_cli(path, "view", f"overview?{period}&region=West", "--json", capsys=capsys)
    west = region_figures(demo_raw, start, end, {"West"})
    assert json.loads(out)["kpis"]["revenue"] == pytest.approx(west["revenue"]) and west["orders"] > 0
    workspace._OPEN.clear()


def test_model_caches_are_keyed_by_scope(demo_ws):
    """Every scope reads the same tables through its own predicate: a cache keyed by the tables
    alone would hand one user's model to another."""
    from insight.domain import churn
    from insight.ml import churn_model

    everyone, east = Scope.open(demo_ws, Filters()), Scope.open(demo_ws, Filters(), rows=EAST)
    d = churn.definition(everyone)[0]
    assert everyone.snap.tables == east.snap.tables
    assert churn_model.cache_key(everyone, d) != churn_model.cache_key(east, d)


def test_what_moved_under_a_row_scope_splits_the_scoped_rows(demo_ws, demo_raw):
    """The rollup the what-moved split reads takes the row predicate too (it once matched nothing,
    so a scoped user's split read all zeros)."""
    pv = page_view(demo_ws, "overview?from=2026-01-01&to=2026-06-30&cmp=yoy&by=channel", EAST)
    moved = pv.moved["revenue"]
    shown = moved[moved["dimension"] == "channel"].set_index("value")["current"]
    o = demo_raw["orders"]
    o = o[(o["order_date"] >= "2026-01-01") & (o["order_date"] < "2026-07-01") & (o["region"] == "East")]
    expected = o[~o["status"].isin(["cancelled", "returned"])].groupby("channel")["amount"].sum()
    assert len(expected) > 1 and expected.sum() > 0
    for channel, revenue in expected.items():
        assert shown[channel] == pytest.approx(revenue), channel
    assert shown.sum() == pytest.approx(expected.sum())


def test_the_audit_log_text_filter_finds_plain_substrings(tmp_path):
    """Generated entries (wildcard characters, case, Chinese, empty) against pandas: the text filter
    is a case-insensitive plain substring, never a pattern."""
    import random

    from insight.db.workspace import Workspace

    rng = random.Random(5)
    alphabet = ["a", "B", "%", "_", "\\", "订", "单", " ", ".", "x"]
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 8))) for _ in range(60)]
    ws = Workspace(tmp_path / "audit.duckdb")
    try:
        for i, text in enumerate(texts):
            users.audit.record(ws, f"u{i}", "export", text)
        for needle in ["%", "_", "a%", "b", "订单", "\\", *rng.sample(texts, 8)]:
            if not needle:
                continue
            got = users.audit.entries(ws, text=needle, limit=1000)
            expected = pd.Series(texts)
            expected = expected[expected.str.lower().str.contains(needle.lower(), regex=False)]
            assert sorted(got["what"]) == sorted(expected), needle
    finally:
        ws.close()
