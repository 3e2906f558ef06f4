"""Alert rules against pandas on the demo, occurrences delivered once (a real local webhook
server), mute and resolve, failures recorded, the built-in alerts, and the check after an import."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.errors import InsightError
from insight.reports import alert_checks, alerts
from insight.views.views import page_view
from tests.conftest import TICKETS
from tests.test_cli import cli as run


@pytest.fixture
def eve(demo_ws):
    return users.add(demo_ws, "eve", "analyst", "a-long-password", RowScope.parse(["region=East"]))


def last_days(frame: pd.DataFrame, column: str, days: int, shift: int = 0) -> pd.DataFrame:
    end = frame[column].max().normalize() - pd.Timedelta(days=shift)
    start = end - pd.Timedelta(days=days - 1)
    return frame[(frame[column] >= start) & (frame[column] < end + pd.Timedelta(days=1))]


def on_time(tickets: pd.DataFrame) -> float:
    done = tickets[tickets["resolved_at"].notna() & (tickets["resolved_at"] >= tickets["created_at"])]
    return float((done["resolved_at"] <= done["due_at"]).mean())


def revenue(orders: pd.DataFrame) -> float:
    return float(orders[~orders["status"].isin(["cancelled", "returned"])]["amount"].sum())


def test_a_threshold_rule_fires_on_the_value_pandas_computes(demo_ws, demo_raw, eve):
    tickets = demo_raw["tickets"].merge(demo_raw["customers"][["customer_id", "region"]], on="customer_id")
    east = last_days(tickets[tickets["region"] == "East"], "created_at", 30)
    truth = on_time(east)
    alerts.add(demo_ws, eve, "on time low", metric="on_time_rate", op="below", threshold=f"{truth * 100 + 0.5}%")
    alerts.add(demo_ws, eve, "on time fine", metric="on_time_rate", op="below", threshold=truth - 0.005)
    found = alert_checks.check(demo_ws)
    assert [o["rule"] for o in found.opened] == ["on time low"] and not found.errors
    assert found.opened[0]["value"] == pytest.approx(truth)  # eve's rows: East, the last 30 days of tickets


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_change_rule_compares_with_the_period_before(demo_ws, demo_raw, days):
    orders = demo_raw["orders"]
    north = orders[orders["region"] == "North"]
    now, before = revenue(last_days(north, "order_date", days)), revenue(last_days(north, "order_date", days, days))
    change = (now - before) / before * 100
    op = "up" if change > 0 else "down"
    alerts.add(demo_ws, OWNER, "moved", metric="revenue", op=op, threshold=abs(change) - 0.05, query="region=North",
               days=days)  # fmt: skip
    alerts.add(demo_ws, OWNER, "not that much", metric="revenue", op=op, threshold=abs(change) + 0.05,
               query="region=North", days=days)  # fmt: skip
    found = alert_checks.check(demo_ws)
    assert [o["rule"] for o in found.opened] == ["moved"]
    (event,) = alerts.events(demo_ws).to_dict("records")
    detail = json.loads(event["detail"])
    assert detail["value"] == pytest.approx(now) and detail["previous"] == pytest.approx(before)
    assert detail["change_pct"] == pytest.approx(change)


def test_diamond_churn_change_reads_the_churn_page(demo_ws):
    """ "Diamond churn up 20 %": a rule on the churn rate of a value tier, under the definition in
    force on the Churn page (here behavioural), over the last 180 days against the 180 before."""
    link = "churn?tier=diamond&churn=behavioural"
    end = pd.Timestamp(demo_ws.scalar("SELECT max(order_date) FROM orders")).date()
    card = page_view(demo_ws, f"{link}&from={end - dt.timedelta(days=179)}&to={end}").kpis["churn_rate"]
    change = card.change_pct * 100
    op = "up" if change > 0 else "down"
    for name, threshold in (("fires", abs(change) - 0.5), ("quiet", abs(change) + 0.5)):
        alerts.add(demo_ws, OWNER, name, metric="churn_rate", op=op, threshold=f"{threshold}%",
                   query=link.split("?")[1], days=180)  # fmt: skip
    (found,) = alert_checks.evaluate(demo_ws, alerts.get(demo_ws, "fires"))
    assert found.value == pytest.approx(card.value) and found.detail["change_pct"] == pytest.approx(change)
    assert alert_checks.evaluate(demo_ws, alerts.get(demo_ws, "quiet")) == []


def test_an_occurrence_is_delivered_once_then_resolved_or_cleared(demo_ws, hooks):
    alerts.add(demo_ws, OWNER, "any complaints", metric="complaints", op="above", threshold=0,
               targets=[f"{hooks.url}/ok/1"])  # fmt: skip
    alert_checks.check(demo_ws)
    alert_checks.check(demo_ws)  # still firing on the same data: no second delivery
    assert len(hooks.received) == 1
    payload = hooks.received[0][1]
    assert payload["kind"] == "alert" and payload["rule"] == "any complaints" and payload["value"] > 0
    assert "above 0" in payload["text"]
    assert alerts.resolve(demo_ws, OWNER, "any complaints") == 1
    assert alert_checks.check(demo_ws).opened == [] and len(hooks.received) == 1  # resolved: not again for this data
    tickets = demo_ws.query("SELECT * FROM tickets")
    later = tickets.assign(created_at=tickets["created_at"] + pd.Timedelta(days=7))
    demo_ws.publish_frames({"tickets": later}, "next week.csv")
    assert len(alert_checks.check(demo_ws).opened) == 1 and len(hooks.received) == 2  # new data, still breaching
    demo_ws.publish_frames({"tickets": later.assign(is_complaint=False)}, "no complaints.csv")
    assert alert_checks.check(demo_ws).cleared == 1 and alerts.events(demo_ws).empty


def test_muted_rules_are_checked_not_delivered_and_failures_are_recorded(demo_ws, hooks):
    alerts.add(demo_ws, OWNER, "quiet", builtin="overdue", targets=[f"{hooks.url}/ok/q"])
    alerts.add(demo_ws, OWNER, "broken hook", builtin="overdue", targets=[f"{hooks.url}/broken/x"])
    alerts.mute(demo_ws, OWNER, "quiet", dt.datetime(9999, 1, 1))
    checks = [alert_checks.check(demo_ws) for _ in range(4)]
    assert len(checks[0].opened) == 2 and not [p for p, _ in hooks.received if p.startswith("/ok")]
    failed = [o for c in checks for o in c.deliveries if not o.ok]
    assert len(failed) == 3 and all("HTTP 500" in o.error for o in failed)  # three attempts, then it stops
    open_ = alerts.events(demo_ws).set_index("rule")
    assert not open_.loc["broken hook", "delivered"] and open_.loc["broken hook", "attempts"] == 3
    alerts.mute(demo_ws, OWNER, "quiet", None)
    alert_checks.check(demo_ws)
    assert [p for p, _ in hooks.received if p.startswith("/ok")] == ["/ok/q"]  # unmuted: delivered now


def test_built_in_alerts_match_the_overview(demo_ws, hooks):
    for kind in alerts.BUILTIN:
        alerts.add(demo_ws, OWNER, kind, builtin=kind, targets=[f"{hooks.url}/ok/{kind}"])
    alert_checks.check(demo_ws)
    shown = page_view(demo_ws, "overview").alerts
    sent = [p for _, p in hooks.received]
    assert sorted(p["detail"]["kind"] for p in sent) == sorted(shown["kind"])
    overdue = next(p for p in sent if p["type"] == "overdue")
    assert overdue["value"] == shown.loc[shown["kind"] == "overdue", "count"].iloc[0]


def test_events_show_only_to_readers_who_may_see_all_the_rule_sees(demo_ws, eve):
    nat = users.add(demo_ws, "nat", "viewer", "a-long-password", RowScope.parse(["region=North"]))
    both = users.add(demo_ws, "bo", "viewer", "a-long-password", RowScope.parse(["region=East,North"]))
    alerts.add(demo_ws, eve, "east complaints", metric="complaints", op="above", threshold=0)
    alert_checks.check(demo_ws)
    seen = {u.name: len(alerts.events(demo_ws, u)) for u in (OWNER, eve, nat, both)}
    assert seen == {"owner": 1, "eve": 1, "nat": 0, "bo": 1}
    with pytest.raises(InsightError, match="someone else's"):
        alerts.resolve(
            demo_ws, users.add(demo_ws, "ann", "analyst", "a-long-password", RowScope.all()), "east complaints"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "nope", "op": "below", "threshold": 1}, "not a metric"),
        ({"metric": "revenue", "op": "sideways", "threshold": 1}, "say when the rule fires"),
        ({"metric": "revenue", "op": "below"}, "say when the rule fires"),
        ({"metric": "revenue", "op": "below", "threshold": "lots"}, "not a number"),
        ({"builtin": "weather"}, "--builtin weather"),
        ({"metric": "revenue", "op": "below", "threshold": 1, "query": "from=someday"}, "not valid"),
        ({"metric": "revenue", "op": "below", "threshold": 1, "targets": ["nobody"]}, "neither an e-mail"),
        ({"metric": "revenue", "op": "below", "threshold": 1, "days": 0}, "--days 0"),
    ],
)
def test_bad_rules_are_refused(demo_ws, kwargs, message):
    with pytest.raises(InsightError, match=message):
        alerts.add(demo_ws, OWNER, "r", **kwargs)


def test_viewers_cannot_make_rules(demo_ws):
    viewer = users.add(demo_ws, "vic", "viewer", "a-long-password", RowScope.all())
    with pytest.raises(InsightError, match="analyst role"):
        alerts.add(demo_ws, viewer, "r", builtin="overdue")


def test_thresholds_read_as_people_type_them():
    assert alerts.parse_threshold("90%", "below") == pytest.approx(0.9)
    assert alerts.parse_threshold("0.9", "below") == pytest.approx(0.9)
    assert alerts.parse_threshold("1,200,000", "above") == 1_200_000
    assert alerts.parse_threshold("20%", "up") == 20 and alerts.parse_threshold("-15", "down") == 15


def test_cli_alerts_and_the_check_after_an_import(demo_ws, hooks):
    path = demo_ws.path
    demo_ws.close()
    added = run("alerts", "add", "tickets arrive", "--metric", "complaints", "--above", "0", "--to",
                f"{hooks.url}/ok/cli", "--json", workspace=path)  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = run("alerts", "list", workspace=path)
    assert "tickets arrive  metric  complaints  above 0" in listed.stdout
    imported = run("import", str(TICKETS), "--as", "tickets", "--json", workspace=path)
    assert imported.returncode == 0, imported.stderr
    assert [o["rule"] for o in json.loads(imported.stdout)["alerts"]["opened"]] == ["tickets arrive"]
    assert len(hooks.received) == 1
    checked = json.loads(run("alerts", "check", "--json", workspace=path).stdout)
    assert checked["opened"] == [] and len(hooks.received) == 1
    assert run("alerts", "mute", "tickets arrive", "--days", "3", workspace=path).returncode == 0
    resolved = json.loads(run("alerts", "resolve", "tickets arrive", "--json", workspace=path).stdout)
    assert resolved == {"resolved": 1}
    events = json.loads(run("alerts", "events", "--json", workspace=path).stdout)["events"]
    assert [e["state"] for e in events] == ["resolved"]
    bad = run("alerts", "add", "x", "--metric", "revenue", "--below", "1", "--above", "2", workspace=path)
    assert bad.returncode == 2 and "say when the rule fires" in bad.stderr
