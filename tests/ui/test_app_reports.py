"""The app's side of issue 16 (AppTest): saving a view from a page, the Saved views page, the
Overview's rule alerts with Resolve, notes, schedules and deliveries on the Administration page,
and what a viewer is not offered."""

from __future__ import annotations

import datetime as dt

from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.reports import alert_checks, alerts, saved, schedule
from insight.reports.deliver import Outcome, record
from insight.semantic.filters import Filters
from tests.ui.test_app import app, clean_caches, texts  # noqa: F401 (clean_caches: autouse fixture)


def test_saving_the_view_on_screen(demo_ws, monkeypatch):
    query = {"from": "2026-01-01", "to": "2026-03-31", "region": "East", "mv": "complaints"}
    at = app(demo_ws, monkeypatch, query=query)
    assert "save_view_name" not in [w.key for w in at.text_input]  # drawn once its popover opens
    at.session_state["save_view_open"] = True
    at.run()
    at.text_input(key="save_view_name").input("Q1 East")
    at.toggle(key="save_view_shared").set_value(True)
    at.toggle(key="save_view_pinned").set_value(True)
    at.button(key="save_view_go").click().run()
    assert not at.exception and "Saved as Q1 East" in texts(at) + "".join(e.value for e in at.success)
    (view,) = saved.visible(demo_ws, OWNER)
    assert view.shared and view.version == demo_ws.version() and view.page == "overview"
    assert view.params() == {
        "from": ["2026-01-01"],
        "to": ["2026-03-31"],
        "region": ["East"],
        "mv": ["complaints"],
        "ds": [str(demo_ws.version())],
    }


def test_the_saved_views_page_lists_what_each_user_may_open(demo_ws, monkeypatch):
    saved.save(demo_ws, OWNER, "team overview", "overview?region=East", shared=True)
    saved.save(demo_ws, OWNER, "owner's own", "churn")
    saved.save(demo_ws, users.TOKEN, "my churn", "churn?tab=cohorts")  # the app signs in with the token
    at = app(demo_ws, monkeypatch, "saved")
    shown = texts(at)
    assert "Your views" in shown and "my churn" in shown and "Shared with the team" in shown
    assert "team overview" in shown and "owner's own" not in shown
    assert "Send by e-mail on a schedule" in [e.label for e in at.expander]
    at.button(key="open_owner/team overview").click().run()  # Open: the page with the view's whole state
    assert not at.exception and at.query_params["region"] in ("East", ["East"])
    assert at.multiselect(key="region").value == ["East"] and at.title[0].value == "Overview"


def test_a_viewer_opens_shared_views_and_is_offered_no_saving(demo_ws, monkeypatch):
    users.add(demo_ws, "vic", "viewer", "a-long-password", RowScope.all())
    saved.save(demo_ws, OWNER, "team overview", "overview?region=East", shared=True)
    at = app(demo_ws, monkeypatch, signed_in=False)
    at.text_input(key="signin_name").input("vic")
    at.text_input(key="signin_password").input("a-long-password")
    at.button[0].click().run()
    at.switch_page("app_pages/saved.py").run()
    assert "team overview" in texts(at) and "Shared with the team" in texts(at)
    assert not [e for e in at.expander if e.label == "Send by e-mail on a schedule"]
    at.switch_page("app_pages/overview.py").run()
    assert "save_view_go" not in [b.key for b in at.button] and "note_add" not in [b.key for b in at.button]


def test_rule_alerts_show_on_the_overview_with_resolve(demo_ws, monkeypatch):
    alerts.add(demo_ws, OWNER, "complaints arrive", metric="complaints", op="above", threshold=0,
               targets=["http://127.0.0.1:9/ok"])  # fmt: skip
    alert_checks.check(demo_ws)  # nothing listens on port 9: the delivery fails, and says so
    at = app(demo_ws, monkeypatch)
    errors = [e.value for e in at.error]
    assert any("complaints arrive" in e and "above 0" in e for e in errors)
    assert any("not delivered" in c.value for c in at.caption)
    resolve = next(b for b in at.button if b.key.startswith("resolve_"))
    resolve.click().run()
    assert alerts.events(demo_ws).empty
    assert not any("complaints arrive" in e.value for e in at.error)


def test_the_administration_page_lists_schedules_rules_and_deliveries(demo_ws, monkeypatch):
    saved.save(demo_ws, OWNER, "weekly", "overview", shared=True)
    schedule.add(demo_ws, OWNER, "monday", "weekly", ["boss@example.com"], "weekly", at="07:30")
    alerts.add(demo_ws, OWNER, "overdue", builtin="overdue")
    record(demo_ws, "report", "schedule:monday", Outcome("boss@example.com", False, "e-mail is not set up"))
    at = app(demo_ws, monkeypatch, "admin")
    frames = [e.value for e in at.dataframe]
    assert any("monday" in f.get("name", []).tolist() for f in frames if "name" in f)
    assert any("overdue" in f["name"].tolist() and "kind" in f for f in frames if "name" in f)
    log = next(f for f in frames if "target" in f)
    assert log["error"].tolist() == ["e-mail is not set up"]
    assert "1 deliveries, 1 failed" in texts(at)


def test_adding_a_note_from_a_page(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"from": "2026-01-01", "to": "2026-06-30"})
    assert "note_text" not in [w.key for w in at.text_input]  # drawn once its popover opens
    at.session_state["notes_open"] = True
    at.run()
    at.date_input(key="note_day").set_value(dt.date(2026, 3, 8))
    at.text_input(key="note_text").input("Women's Day promotion")
    at.button(key="note_add").click().run()
    assert not at.exception
    notes = demo_ws.query("SELECT * FROM _annotations")
    assert notes["text"].tolist() == ["Women's Day promotion"] and notes["author"].tolist() == ["token"]
    assert any("Women" in c.value for c in at.caption)


def test_a_rule_made_from_the_overview_form_watches_the_filters_in_force(demo_ws, monkeypatch):
    """The New alert rule form is drawn (and sent) only once opened; opened, it makes a rule on
    the filters in force with what was typed."""
    at = app(demo_ws, monkeypatch, query={"region": "East", "cmp": "yoy"})
    assert "rule_name" not in [w.key for w in at.text_input]
    at.session_state["rule_form_open"] = True
    at.run()
    at.text_input(key="rule_name").input("east complaints")
    at.selectbox(key="rule_m").set_value("complaints")
    at.selectbox(key="rule_op").set_value("above")
    at.text_input(key="rule_x").input("25")
    at.number_input(key="rule_days").set_value(14)
    at.button(key="rule_go").click().run()
    assert not at.exception
    made = alerts.get(demo_ws, "east complaints")
    assert (made.metric, made.op, made.threshold, made.days) == ("complaints", "above", 25.0, 14)
    assert Filters.from_query(made.query)[0].values("region") == ("East",)
