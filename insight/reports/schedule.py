"""Report schedules: a saved view sent to its recipients daily, weekly or monthly at a set time.

`run_due` is idempotent: for each schedule it finds the latest occurrence at or before `now`,
runs it unless that occurrence already ran (`last_due`), and records the run. Missed occurrences
(the machine was off) are caught up once, not once each. The occurrence is claimed before the
report is sent, so two runners never send it twice; a failed delivery is recorded and shown
(`schedule list`, the Administration page) and `schedule run NAME` sends it again.

Times are wall-clock times of INSIGHT_TIMEZONE (default: the machine's zone), stored in UTC.
Everything is a plain function of the workspace, which the app's own scheduler thread
(insight/reports/runner.py) and `python -m insight schedule run-due` both call.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import unicodedata
import zoneinfo
from dataclasses import dataclass

import pandas as pd

from insight import i18n
from insight.auth import access, audit, users
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg
from insight.reports import deliver, outbox
from insight.reports.deliver import Outcome
from insight.reports.saved import SavedView, find

EVERY = ("daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_AT = dt.time(8, 0)


@dataclass(frozen=True)
class Schedule:
    name: str
    view_owner: str
    view_name: str
    recipients: tuple[str, ...]
    every: str
    at: dt.time
    day: int | None  # weekly: 0 = Monday; monthly: 1–31 (past a month's end: its last day)
    format: str = "pdf"
    lang: str = i18n.DEFAULT_LANG
    run_as: str = users.OWNER.name
    created_by: str = users.OWNER.name
    created_at: dt.datetime | None = None  # UTC
    last_due: dt.datetime | None = None  # UTC: the occurrence that last ran

    def occurrence(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
        """The latest scheduled time at or before `now` (both UTC, naive)."""
        zone = zone or timezone()
        local = now.replace(tzinfo=dt.UTC).astimezone(zone)
        day = local.date()
        for _ in range(3):  # this period's time, else the one before
            if self.every == "weekly":
                day -= dt.timedelta(days=(day.weekday() - (self.day or 0)) % 7)
            elif self.every == "monthly":
                day = day.replace(day=min(self.day or 1, calendar.monthrange(day.year, day.month)[1]))
            when = dt.datetime.combine(day, self.at, tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)
            if when <= now:
                return when
            day = _step_back(day, self.every)
        raise AssertionError((self, now))

    def due(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime | None:
        """The occurrence to run now, or None: it ran already, or it came before the schedule."""
        when = self.occurrence(now, zone)
        if self.created_at is not None and when < self.created_at:
            return None
        if self.last_due is not None and when <= self.last_due:
            return None
        return when

    def describe(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """When it runs, in words: "weekly on Monday at 07:30"."""
        day = i18n.t(f"weekday.{WEEKDAYS[self.day or 0]}", lang) if self.every == "weekly" else self.day
        return i18n.t(f"schedule.when.{self.every}", lang, at=f"{self.at:%H:%M}", day=day)


@dataclass(frozen=True)
class Run:
    schedule: str
    due: dt.datetime
    outcomes: tuple[Outcome, ...]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)


def timezone() -> dt.tzinfo:
    """INSIGHT_TIMEZONE (an IANA name such as Asia/Shanghai), else the machine's zone."""
    name = os.environ.get("INSIGHT_TIMEZONE")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InsightError(msg("schedule.bad_zone", zone=name)) from None
    return dt.datetime.now().astimezone().tzinfo


def add(
    ws: Workspace,
    user: User,
    name: str,
    view_ref: str,
    recipients: list[str],
    every: str,
    *,
    at: str = "08:00",
    on: str | None = None,
    fmt: str = "pdf",
    lang: str = i18n.DEFAULT_LANG,
    run_as: User | None = None,
) -> Schedule:
    """A new schedule of the saved view `view_ref` (one `user` may open) to `recipients`."""
    if not access.can(user.role, "save_views"):
        raise InsightError(msg("saved.denied", role=user.role))
    name = _check_name(name)
    view = find(ws, user, view_ref)
    if every not in EVERY:
        raise InsightError(msg("schedule.bad_every", every=every, choices=", ".join(EVERY)))
    if fmt not in ("pdf", "png"):
        raise InsightError(msg("report.format", fmt=fmt, formats="pdf, png"))
    targets = deliver.check_targets(recipients, users_too=True)
    for name_of_user in (t for t in targets if not (deliver.is_email(t) or deliver.is_webhook(t))):
        if not users.resolve(ws, name_of_user).email:  # a recipient named by user name needs an address
            raise InsightError(msg("deliver.no_email", name=name_of_user), hint=msg("deliver.no_email.hint"))
    schedule = Schedule(
        name, view.owner, view.name, targets, every, _time(at), _day(every, on),
        fmt, lang if lang in i18n.LANGS else i18n.DEFAULT_LANG, (run_as or user).name, user.name, audit.now(),
    )  # fmt: skip
    with ws.writer() as cur:
        if cur.execute("SELECT count(*) FROM _schedules WHERE name = ?", [name]).fetchone()[0]:
            raise InsightError(msg("schedule.exists", name=name))
        cur.execute(
            "INSERT INTO _schedules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            [
                name, view.owner, view.name, json.dumps(list(targets)), every, f"{schedule.at:%H:%M}", schedule.day,
                fmt, schedule.lang, schedule.run_as, user.name, schedule.created_at,
            ],
        )  # fmt: skip
    return schedule


def get(ws: Workspace, name: str) -> Schedule:
    found = [s for s in schedules(ws) if s.name == name]
    if not found:
        raise InsightError(msg("schedule.unknown", name=name), hint=msg("schedule.unknown.hint"))
    return found[0]


def schedules(ws: Workspace) -> list[Schedule]:
    rows = ws.query("SELECT * FROM _schedules ORDER BY name").to_dict("records")
    return [
        Schedule(
            r["name"],
            r["view_owner"],
            r["view_name"],
            tuple(json.loads(r["recipients"])),
            r["every"],
            _time(r["at_time"]),
            None if pd.isna(r["day"]) else int(r["day"]),
            r["format"],
            r["lang"],
            r["run_as"],
            r["created_by"],
            _ts(r["created_at"]),
            _ts(r["last_due"]),
        )  # fmt: skip
        for r in rows
    ]


def remove(ws: Workspace, user: User, name: str) -> None:
    """Delete a schedule: whoever created it may, and an administrator."""
    schedule = get(ws, name)
    if schedule.created_by != user.name and not access.can(user.role, "settings"):
        raise InsightError(msg("schedule.not_yours", name=name))
    with ws.writer() as cur:
        cur.execute("DELETE FROM _schedules WHERE name = ?", [name])


def run_due(ws: Workspace, now: dt.datetime | None = None) -> list[Run]:
    """Run every schedule whose occurrence is due at `now` (UTC; default: now) and has not run."""
    now = now or audit.now()
    zone = timezone()
    done = []
    for schedule in schedules(ws):
        when = schedule.due(now, zone)
        if when is not None and _claim(ws, schedule.name, when):
            done.append(run(ws, schedule, when))
    return done


def run(ws: Workspace, schedule: Schedule, due: dt.datetime | None = None) -> Run:
    """Send the schedule's report now (for `due`, the occurrence it stands for) and record it."""
    due = due or audit.now()
    source = f"schedule:{schedule.name}"
    try:
        view, sender = _view(ws, schedule), users.named(ws, schedule.run_as)
        outcomes = outbox.send(
            ws, view.link(), schedule.recipients, as_user=sender, lang=schedule.lang, fmt=schedule.format,
            name=view.name, source=source,
        )  # fmt: skip
    except InsightError as exc:
        outcomes = [Outcome(t, False, str(exc)) for t in schedule.recipients]
        for outcome in outcomes:
            deliver.record(ws, "report", source, outcome)
    result = Run(schedule.name, due, tuple(outcomes))
    failed = [o for o in outcomes if not o.ok]
    text = "; ".join(o.error or "" for o in failed) or None  # the failures (Administration, `list`)
    with ws.writer() as cur:
        cur.execute(
            "INSERT INTO _schedule_runs (schedule, due, ran_at, ok, result) VALUES (?, ?, ?, ?, ?)",
            [schedule.name, due, audit.now(), result.ok, text],
        )
    return result


def table(ws: Workspace, now: dt.datetime | None = None, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """Every schedule with its last run, its result (what failed) and its next run (UTC)."""
    now = now or audit.now()
    zone = timezone()
    last = ws.query(
        "SELECT schedule, ran_at, ok, result FROM (SELECT *, row_number() OVER "
        "(PARTITION BY schedule ORDER BY id DESC) AS k FROM _schedule_runs) WHERE k = 1"
    ).set_index("schedule")
    rows = []
    for s in schedules(ws):
        ran = last.loc[s.name] if s.name in last.index else None
        rows.append(
            {
                "name": s.name,
                "view": f"{s.view_owner}/{s.view_name}",
                "when": s.describe(lang),
                "recipients": ", ".join(deliver.shown(r) for r in s.recipients),
                "run_as": s.run_as,
                "format": s.format,
                "lang": s.lang,
                "last_run": None if ran is None else ran["ran_at"],
                "ok": None if ran is None else bool(ran["ok"]),
                "result": None if ran is None else ran["result"],
                "next_run": next_run(s, now, zone),
            }
        )
    cols = ["name", "view", "when", "recipients", "run_as", "format", "lang", "last_run", "ok", "result", "next_run"]
    return pd.DataFrame(rows, columns=cols)


#: Longer than the longest gap between two occurrences (a DST change makes a day 25 hours).
_LONGEST = {"daily": dt.timedelta(hours=26), "weekly": dt.timedelta(days=7, hours=2), "monthly": dt.timedelta(days=32)}


def next_run(schedule: Schedule, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    """The first occurrence after `now` (UTC)."""
    when = schedule.occurrence(now + _LONGEST[schedule.every], zone)
    while (earlier := schedule.occurrence(when - dt.timedelta(seconds=1), zone)) > now:
        when = earlier
    return when


def _claim(ws: Workspace, name: str, when: dt.datetime) -> bool:
    """Mark `when` as run for `name`, unless a concurrent runner did first."""
    with ws.writer() as cur:
        claimed = cur.execute(
            "UPDATE _schedules SET last_due = ? WHERE name = ? AND (last_due IS NULL OR last_due < ?) RETURNING name",
            [when, name, when],
        ).fetchall()
    return bool(claimed)


def _view(ws: Workspace, schedule: Schedule) -> SavedView:
    owner = users.named(ws, schedule.view_owner)
    return find(ws, owner, f"{schedule.view_owner}/{schedule.view_name}")


def _step_back(day: dt.date, every: str) -> dt.date:
    if every == "daily":
        return day - dt.timedelta(days=1)
    if every == "weekly":
        return day - dt.timedelta(days=7)
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _time(text: str) -> dt.time:
    try:
        hour, minute = (int(p) for p in text.strip().split(":"))
        return dt.time(hour, minute)
    except ValueError:
        raise InsightError(msg("schedule.bad_at", at=text)) from None


def _day(every: str, on: str | None) -> int | None:
    if every == "daily":
        return None
    if every == "weekly":
        day = (on or "mon").strip().lower()[:3]
        if day not in WEEKDAYS:
            raise InsightError(msg("schedule.bad_on", on=on, choices=", ".join(WEEKDAYS)))
        return WEEKDAYS.index(day)
    raw = (on or "1").strip()
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 31):
        raise InsightError(msg("schedule.bad_on", on=on, choices="1–31"))
    return int(raw)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80 or any(unicodedata.category(c).startswith("C") for c in name):
        raise InsightError(msg("schedule.bad_name", name=name))
    return name


def _ts(value) -> dt.datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()
