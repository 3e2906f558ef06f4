"""Saved views: personal or shared, pinned or following the latest data, opened with the same
numbers, within the opener's own rows; and the CLI `views`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from insight.auth import users
from insight.auth.access import RowScope
from insight.errors import InsightError
from insight.reports import saved
from insight.views.views import page_view
from tests.test_cli import cli

LINK = "overview?from=2026-01-01&to=2026-06-30&region=East&region=North&mv=complaints&lang=zh&token=secret"


@pytest.fixture
def team(demo_ws):
    made = {}
    for name, role, scope in (
        ("ann", "analyst", ["all"]),
        ("bob", "analyst", ["all"]),
        ("vic", "viewer", ["all"]),
        ("eve", "viewer", ["region=East"]),
    ):
        made[name] = users.add(demo_ws, name, role, "a-long-password", RowScope.parse(scope))
    return made


def test_a_saved_view_keeps_the_whole_view_state_but_not_language_or_token(demo_ws, team):
    view = saved.save(demo_ws, team["ann"], "East and North", LINK)
    assert view.page == "overview" and view.version is None and not view.shared
    assert view.params() == {
        "from": ["2026-01-01"],
        "to": ["2026-06-30"],
        "region": ["East", "North"],
        "mv": ["complaints"],
    }
    reopened = page_view(demo_ws, view.link())
    original = page_view(demo_ws, LINK)
    assert reopened.to_dict()["kpis"] == original.to_dict()["kpis"]
    pd.testing.assert_frame_equal(reopened.moved["revenue"], original.moved["revenue"])


def test_pinned_views_keep_their_version_and_following_views_move_on(demo_ws, team):
    pinned = saved.save(demo_ws, team["ann"], "pinned", "overview?region=East", pinned=True)
    following = saved.save(demo_ws, team["ann"], "latest", "overview?region=East&ds=2")
    assert pinned.version == demo_ws.version() and "ds=" not in following.link()
    before = page_view(demo_ws, pinned.link()).to_dict()["kpis"]
    orders = demo_ws.query("SELECT * FROM orders WHERE region = 'East' LIMIT 500")
    demo_ws.publish_frames({"orders": orders}, "smaller.csv")  # a new version with fewer East orders
    assert page_view(demo_ws, pinned.link()).to_dict()["kpis"] == before  # pinned: the same numbers
    now = page_view(demo_ws, following.link()).to_dict()["kpis"]
    assert now["orders"] != before["orders"]
    assert saved.save(demo_ws, team["ann"], "at 2", "overview?ds=2", pinned=True).version == 2  # the link's ds


def test_viewers_open_shared_views_but_cannot_save(demo_ws, team):
    saved.save(demo_ws, team["ann"], "mine", "churn")
    saved.save(demo_ws, team["ann"], "team view", "complaints?tab=time", shared=True)
    assert [v.name for v in saved.visible(demo_ws, team["vic"])] == ["team view"]
    assert {v.name for v in saved.visible(demo_ws, team["ann"])} == {"mine", "team view"}
    with pytest.raises(InsightError, match="analyst role"):
        saved.save(demo_ws, team["vic"], "nope", "overview")
    with pytest.raises(InsightError, match="no saved view mine"):
        saved.find(demo_ws, team["vic"], "mine")
    assert saved.find(demo_ws, team["vic"], "ann/team view").link() == "complaints?tab=time"


def test_names_resolve_own_first_and_ambiguity_is_refused(demo_ws, team):
    saved.save(demo_ws, team["ann"], "weekly", "overview?region=East", shared=True)
    saved.save(demo_ws, team["bob"], "weekly", "overview?region=West", shared=True)
    assert saved.find(demo_ws, team["ann"], "weekly").owner == "ann"
    with pytest.raises(InsightError, match="ann/weekly, bob/weekly"):
        saved.find(demo_ws, team["vic"], "weekly")
    with pytest.raises(InsightError, match="only its owner"):
        saved.remove(demo_ws, team["bob"], "ann/weekly")
    saved.save(demo_ws, team["ann"], "weekly", "overview?region=North", shared=True)  # saved again: replaced
    assert saved.find(demo_ws, team["vic"], "ann/weekly").link() == "overview?region=North"
    saved.remove(demo_ws, users.OWNER, "ann/weekly")  # an administrator may remove a shared view
    assert saved.find(demo_ws, team["vic"], "weekly").owner == "bob"


@pytest.mark.parametrize("name", ["", "  ", "a/b", "x" * 81, "line\nbreak", "tab\there"])
def test_bad_names_are_refused(demo_ws, team, name):
    with pytest.raises(InsightError, match="cannot be the name"):
        saved.save(demo_ws, team["ann"], name, "overview")


def test_a_shared_view_carries_filters_not_rights(demo_ws, team):
    view = saved.save(demo_ws, team["ann"], "all regions", "overview?region=West", shared=True)
    seen = page_view(demo_ws, view.link(), team["eve"].rows)  # eve may see East only
    # West AND East-only rows: nothing, with a note (the West filter used to be dropped, showing
    # eve every East row under a view named for all regions).
    assert seen.outside and any("region=West" in str(n) and "outside" in str(n) for n in seen.notes)
    assert seen.to_dict()["kpis"] == {} and seen.to_dict()["tables"] == {}
    assert page_view(demo_ws, view.link(), team["ann"].rows).to_dict()["kpis"]["revenue"] > 0


def test_views_cli_lists_shows_and_refuses_unknown_names(demo_ws, team):
    saved.save(demo_ws, team["ann"], "East", "overview?region=East&from=2026-01-01&to=2026-03-31", shared=True)
    path = demo_ws.path
    demo_ws.close()
    listed = json.loads(cli("views", "list", "--as", "vic", "--json", workspace=path).stdout)
    assert [v["ref"] for v in listed["views"]] == ["ann/East"]
    shown = cli("views", "show", "East", "--as", "eve", "--json", workspace=path)
    assert shown.returncode == 0, shown.stderr
    figures = json.loads(shown.stdout)["view"]
    direct = json.loads(
        cli(
            "view", "overview?region=East&from=2026-01-01&to=2026-03-31", "--as", "eve", "--json", workspace=path
        ).stdout
    )
    assert figures["kpis"] == direct["kpis"]
    missing = cli("views", "show", "nothing", "--json", workspace=path)
    assert missing.returncode == 2 and "no saved view nothing" in missing.stderr
