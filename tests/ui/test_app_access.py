"""AppTest: sign-in before any figure, roles in the app, and a note for every invalid URL value."""

from __future__ import annotations

import pytest

from insight.auth import users
from insight.auth.access import RowScope
from tests.apptest_support import app, clean_caches, texts  # noqa: F401  (clean_caches: autouse fixture)


def submit(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def test_the_first_visit_creates_the_administrator(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, signed_in=False)
    assert at.title[0].value == "Create the administrator" and not at.metric  # no figure yet
    at.text_input(key="setup_name").input("alice")
    at.text_input(key="setup_password").input("a long password")
    at.text_input(key="setup_again").input("a long password")
    submit(at, "Create and sign in")
    assert at.title[0].value == "Overview" and at.metric
    assert users.get(demo_ws, "alice").role == "admin"
    assert "alice" in " ".join(c.value for c in at.sidebar.caption)


def test_a_wrong_password_is_refused_and_a_viewer_cannot_open_data(demo_ws, monkeypatch):
    users.add(demo_ws, "vic", "viewer", "vic password", RowScope.parse(["region=East"]))
    at = app(demo_ws, monkeypatch, signed_in=False)
    assert at.title[0].value == "Sign in" and not at.metric
    at.text_input(key="signin_name").input("vic")
    at.text_input(key="signin_password").input("not it")
    submit(at, "Sign in")
    assert "wrong user name or password" in at.error[0].value and not at.metric
    at.text_input(key="signin_password").input("vic password")
    submit(at, "Sign in")
    assert at.title[0].value == "Overview" and at.metric
    assert not [e for e in at.expander if "rows" in e.label.lower()]  # View rows is for analysts
    assert "rows: region\\=East" in " ".join(c.value for c in at.sidebar.caption)  # escaped


def test_a_bad_token_signs_nobody_in(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, signed_in=False, query={"token": "guess"})
    assert at.title[0].value in ("Sign in", "Create the administrator") and not at.metric
    assert "not valid" in at.error[0].value


@pytest.mark.parametrize(
    "page, query, notes",
    [
        (None, {"mv": "profit", "by": "planet", "ds": "①"}, ["mv=profit", "by=planet", "ds="]),
        ("channels", {"measure": "weight", "share": "maybe"}, ["measure=weight", "share=maybe"]),
        ("segments", {"tab": "nope", "grid": "sure", "k": "²"}, ["tab=nope", "grid=sure"]),
        ("churn", {"tab": "nope", "days": "٣", "churn": "behavioural"}, ["tab=nope", "days="]),
        ("churn", {"tab": "cohorts", "ret": "gold", "cohorts": "1999-01"}, ["ret=gold", "cohorts=1999-01"]),
        ("complaints", {"product": "Earbuds", "tab": "nope"}, ["product: these filters do not apply", "tab=nope"]),
        ("campaigns", {"win": "²", "attr": "shoe"}, ["win=", "attr=shoe"]),
        (None, {"lang": "xx"}, ["lang=xx"]),
    ],
)
def test_every_invalid_option_gets_a_note(demo_ws, monkeypatch, page, query, notes):
    at = app(demo_ws, monkeypatch, page, query=query)
    shown = texts(at) + "\n".join(w.value for w in at.sidebar.warning)
    for note in notes:
        assert note in shown, (note, shown[:2000])


def signed_in_as_east(demo_ws, monkeypatch, query: dict):
    users.add(demo_ws, "ed", "viewer", "ed password", RowScope.parse(["region=East"]))
    at = app(demo_ws, monkeypatch, signed_in=False, query=query)
    at.text_input(key="signin_name").input("ed")
    at.text_input(key="signin_password").input("ed password")
    return submit(at, "Sign in")


def test_a_link_outside_the_users_rows_shows_nothing(demo_ws, monkeypatch, demo_raw):
    """Issue 15: a West-only link opened by an East-only user shows nothing (an empty state with a
    note), not all of their East rows."""
    at = signed_in_as_east(demo_ws, monkeypatch, {"region": "West", "from": "2026-01-01", "to": "2026-06-30"})
    assert at.title[0].value == "Overview" and not at.metric
    shown = texts(at)
    assert "region=West" in shown and "outside" in shown and "Nothing to show" in shown
    assert at.multiselect(key="region").value == ["West"]  # the link's filter stays, as a chip to remove
    copy = next(h.value for h in at.get("html") if "ci-copy" in h.value)  # the Copy link button
    assert "overview?" in copy and "region=West" in copy  # the share link keeps it


def test_a_link_partly_outside_the_users_rows_shows_the_intersection(demo_ws, monkeypatch, demo_raw):
    from tests.auth.test_access import region_figures

    query = {"region": ["East", "West"], "from": "2026-01-01", "to": "2026-06-30"}
    at = signed_in_as_east(demo_ws, monkeypatch, query)
    cards = {m.label: m.value for m in at.metric}
    east = region_figures(demo_raw, "2026-01-01", "2026-07-01", {"East"})
    from insight import formatting
    from insight.semantic.metrics import REGISTRY

    assert cards["Orders"] == formatting.value(east["orders"], REGISTRY["orders"].fmt, "en")
    assert cards["Revenue"] == formatting.value(east["revenue"], REGISTRY["revenue"].fmt, "en")
    assert "region=West" in texts(at)
