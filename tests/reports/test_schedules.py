"""Report schedules: the due-logic against a fixed clock (checked against a brute-force oracle on
generated times and zones), idempotent `run-due` that records what ran, and a real SMTP server."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo

import pytest

from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.reports import saved, schedule
from insight.reports.schedule import Schedule
from tests.mail_support import attachment
from tests.test_cli import cli as run

UTC = dt.UTC


def oracle(s: Schedule, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The latest occurrence at or before `now`, by trying every local day of the last 70."""
    local_today = now.replace(tzinfo=UTC).astimezone(zone).date()
    best = None
    for back in range(70):
        day = local_today - dt.timedelta(days=back)
        last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if s.every == "weekly" and day.weekday() != s.day:
            continue
        if s.every == "monthly" and day.day != min(s.day, last.day):
            continue
        when = dt.datetime.combine(day, s.at, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        if when <= now and (best is None or when > best):
            best = when
    return best


ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]


def generated(n: int = 400):
    rng = random.Random(16)
    for _ in range(n):
        every = rng.choice(["daily", "weekly", "monthly"])
        day = {"daily": None, "weekly": rng.randrange(7), "monthly": rng.choice([1, 15, 28, 29, 30, 31])}[every]
        at = dt.time(rng.choice([0, 2, 3, 8, 23]), rng.choice([0, 30, 59]))
        now = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(60 * 24 * 400))
        yield Schedule("s", "owner", "v", ("a@example.com",), every, at, day), now, rng.choice(ZONES)


@pytest.mark.parametrize(("s", "now", "zone"), list(generated()))
def test_the_occurrence_is_the_latest_scheduled_time(s, now, zone):
    tz = zoneinfo.ZoneInfo(zone)
    when = s.occurrence(now, tz)
    assert when == oracle(s, now, tz)
    after = schedule.next_run(s, now, tz)
    assert when <= now < after and s.occurrence(after, tz) == after
    assert s.occurrence(after - dt.timedelta(seconds=1), tz) == when  # nothing in between


def test_due_runs_each_occurrence_once_and_catches_up_once():
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    created = dt.datetime(2026, 3, 2, 1, 0)  # 09:00 in Shanghai: today's 08:00 came before the schedule
    s = Schedule("daily", "owner", "v", ("a@example.com",), "daily", dt.time(8, 0), None, created_at=created)
    assert s.due(dt.datetime(2026, 3, 2, 23, 59), tz) is None
    first = s.due(dt.datetime(2026, 3, 3, 0, 0), tz)  # 08:00 Shanghai = 00:00 UTC
    assert first == dt.datetime(2026, 3, 3, 0, 0)
    ran = Schedule(**{**s.__dict__, "last_due": first})
    assert ran.due(dt.datetime(2026, 3, 3, 12, 0), tz) is None
    assert ran.due(dt.datetime(2026, 3, 7, 3, 0), tz) == dt.datetime(2026, 3, 7, 0, 0)  # four missed: one run


def test_monthly_on_the_31st_runs_on_the_last_day_of_shorter_months():
    tz = zoneinfo.ZoneInfo("UTC")
    s = Schedule("m", "owner", "v", ("a@example.com",), "monthly", dt.time(6, 0), 31)
    assert s.occurrence(dt.datetime(2026, 3, 1), tz) == dt.datetime(2026, 2, 28, 6, 0)
    assert schedule.next_run(s, dt.datetime(2026, 3, 1), tz) == dt.datetime(2026, 3, 31, 6, 0)
    assert schedule.next_run(s, dt.datetime(2028, 2, 1), tz) == dt.datetime(2028, 2, 29, 6, 0)


@pytest.fixture
def weekly(demo_ws, monkeypatch, smtp):
    monkeypatch.setenv("INSIGHT_TIMEZONE", "Asia/Shanghai")
    for key, value in smtp.env().items():
        monkeypatch.setenv(key, value)
    users.add(demo_ws, "eve", "viewer", "a-long-password", RowScope.parse(["region=East"]), "eve@example.com")
    saved.save(demo_ws, OWNER, "East weekly", "overview?region=East&cmp=yoy", shared=True)
    made = schedule.add(
        demo_ws, OWNER, "monday mail", "East weekly", ["boss@example.com", "eve"], "weekly", at="07:30", on="mon"
    )
    with demo_ws.writer() as cur:  # made "last week", so this Monday's 07:30 is its first occurrence
        cur.execute("UPDATE _schedules SET created_at = ?", [dt.datetime(2026, 11, 20)])
    return made


MONDAY = dt.datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai, half an hour after 07:30


def test_run_due_sends_once_and_records_what_ran(demo_ws, weekly, smtp):
    assert weekly.describe() == "weekly on Monday at 07:30" and weekly.describe("zh") == "每周 星期一 07:30"
    assert schedule.run_due(demo_ws, MONDAY - dt.timedelta(hours=1)) == []  # 07:00: not yet
    (ran,) = schedule.run_due(demo_ws, MONDAY)
    assert ran.ok and ran.due == dt.datetime(2026, 11, 22, 23, 30) and len(ran.outcomes) == 2
    assert schedule.run_due(demo_ws, MONDAY) == [] and schedule.run_due(demo_ws, MONDAY + dt.timedelta(days=3)) == []
    assert len(smtp.inbox.messages) == 2
    name, data = attachment(smtp.inbox.to("eve@example.com")[0])
    assert data[:5] == b"%PDF-" and name.endswith(".pdf")
    listed = schedule.table(demo_ws, MONDAY).iloc[0]
    assert listed["ok"] and listed["result"] is None and listed["next_run"] == dt.datetime(2026, 11, 29, 23, 30)
    (next_week,) = schedule.run_due(demo_ws, MONDAY + dt.timedelta(days=7))
    assert next_week.ok and len(smtp.inbox.messages) == 4
    assert demo_ws.scalar("SELECT count(*) FROM _schedule_runs") == 2


def test_a_failed_run_is_recorded_shown_and_not_repeated(demo_ws, weekly, monkeypatch):
    monkeypatch.setenv("INSIGHT_SMTP_PORT", "1")  # nothing listens there
    (ran,) = schedule.run_due(demo_ws, MONDAY)
    assert not ran.ok and all("failed" in o.error for o in ran.outcomes)
    listed = schedule.table(demo_ws, MONDAY).iloc[0]
    assert not listed["ok"] and "e-mail to boss@example.com failed" in listed["result"]
    assert schedule.run_due(demo_ws, MONDAY) == []  # the occurrence is done; `schedule run` sends it again


def test_a_schedule_of_a_deleted_view_fails_with_a_reason(demo_ws, weekly):
    saved.remove(demo_ws, OWNER, "East weekly")
    (ran,) = schedule.run_due(demo_ws, MONDAY)
    assert not ran.ok and "no saved view" in ran.outcomes[0].error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"every": "hourly"}, "--every hourly"),
        ({"at": "25:00"}, "--at 25:00"),
        ({"at": "8h"}, "--at 8h"),
        ({"on": "someday"}, "--on someday"),
        ({"every": "monthly", "on": "32"}, "--on 32"),
        ({"recipients": ["not an address"]}, "neither an e-mail"),
        ({"view": "missing"}, "no saved view missing"),
        ({"recipients": ["nobody"]}, "no user nobody"),
        ({"recipients": ["owner"]}, "no user owner"),
    ],
)
def test_bad_schedules_are_refused(demo_ws, args, message):
    saved.save(demo_ws, OWNER, "v", "overview")
    given = {"view": "v", "recipients": ["a@example.com"], "every": "weekly", **args}
    with pytest.raises(InsightError, match=message):
        schedule.add(demo_ws, OWNER, "s", given.pop("view"), given.pop("recipients"), given.pop("every"), **given)


def test_cli_schedule_and_a_workspace_held_by_the_app(demo_ws, smtp, tmp_path):
    saved.save(demo_ws, OWNER, "complaints", "complaints?tab=time", shared=True)
    path = demo_ws.path
    demo_ws.close()
    env = {**smtp.env(), "INSIGHT_TIMEZONE": "UTC"}
    added = run("schedule", "add", "ops", "--view", "complaints", "--to", "ops@example.com", "--every", "daily",
                "--at", "06:00", "--json", workspace=path, env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    tomorrow = (dt.datetime.now(UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT06:30")
    due = run("schedule", "run-due", "--now", tomorrow, "--json", workspace=path, env=env)
    assert due.returncode == 0, due.stderr
    assert [r["schedule"] for r in json.loads(due.stdout)["ran"]] == ["ops"] and len(smtp.inbox.messages) == 1
    again = run("schedule", "run-due", "--now", tomorrow, "--json", workspace=path, env=env)
    assert json.loads(again.stdout)["ran"] == [] and len(smtp.inbox.messages) == 1
    listed = run("schedule", "list", workspace=path, env=env)
    assert "ops  owner/complaints  daily at 06:00  ops@example.com  owner  pdf  en" in listed.stdout
    assert json.loads(run("schedule", "list", "--json", workspace=path).stdout)["schedules"][0]["ok"] is True

    held = Workspace(path)  # another process holds the file and takes no command (tests/test_handoff.py: the app does)
    try:
        blocked = run("schedule", "run-due", workspace=path, env=env)
        assert blocked.returncode == 2 and "cannot be opened" in blocked.stderr
    finally:
        held.close()
    removed = run("schedule", "remove", "ops", workspace=path, env=env)
    assert removed.returncode == 0 and "(none)" in run("schedule", "list", workspace=path).stdout
