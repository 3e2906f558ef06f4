"""The command line of saved views, reports, schedules, alerts and chart notes (SPEC §10):
`views`, `report`, `schedule`, `alerts` and `notes`, each acting as `--as USER` (default: the
workspace's owner) with that user's role and row scope."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from insight import i18n
from insight.errors import InsightError

COMMANDS = ("views", "report", "schedule", "alerts", "notes")


def add_parsers(sub) -> None:
    def as_user(p) -> None:
        p.add_argument("--as", dest="as_user", metavar="USER", help="act as USER (default: the owner)")
        p.add_argument("--json", action="store_true")

    views = sub.add_parser("views", help="saved views").add_subparsers(dest="action", required=True)
    as_user(views.add_parser("list", help="the saved views you may open"))
    as_user(show := views.add_parser("show", help="a saved view and its figures"))
    show.add_argument("name", help="NAME or OWNER/NAME")
    as_user(save := views.add_parser("save", help="save a link as a view"))
    save.add_argument("name")
    save.add_argument("link", help='e.g. "overview?region=East"')
    save.add_argument("--shared", action="store_true", help="shared with the team (default: personal)")
    save.add_argument("--pin", action="store_true", help="pinned to its data version (default: the latest data)")
    as_user(drop := views.add_parser("remove", help="delete a saved view"))
    drop.add_argument("name")

    report = sub.add_parser("report", help="a page view as a PDF, PNG or HTML report, to a file or by e-mail")
    report.add_argument("target", metavar="LINK_OR_SAVED_VIEW")
    report.add_argument("--format", choices=("pdf", "png", "html"), default="pdf")
    report.add_argument("--out", help="the file to write")
    report.add_argument("--to", action="append", default=[], metavar="ADDRESS_OR_URL", help="repeatable")
    report.add_argument("--lang", choices=tuple(i18n.LANGS), default=i18n.DEFAULT_LANG)
    as_user(report)
    from insight.cli import engine_option  # the CLI's own option, shared

    engine_option(report)

    sched = sub.add_parser("schedule", help="report schedules").add_subparsers(dest="action", required=True)
    as_user(add := sched.add_parser("add", help="send a saved view on a schedule"))
    add.add_argument("name")
    add.add_argument("--view", required=True, metavar="SAVED_VIEW")
    add.add_argument("--to", action="append", required=True, metavar="ADDRESS_URL_OR_USER", help="repeatable")
    add.add_argument("--every", choices=("daily", "weekly", "monthly"), required=True)
    add.add_argument("--at", default="08:00", help="HH:MM, in INSIGHT_TIMEZONE (default: the machine's)")
    add.add_argument("--on", help="weekly: mon…sun (default mon); monthly: day 1–31 (default 1)")
    add.add_argument("--format", choices=("pdf", "png"), default="pdf")
    add.add_argument("--lang", choices=tuple(i18n.LANGS), default=i18n.DEFAULT_LANG)
    add.add_argument("--run-as", metavar="USER", help="whose rows non-users receive (default: you)")
    as_user(sched.add_parser("list", help="schedules with their last run and the next"))
    for action, text in (("remove", "delete a schedule"), ("run", "send a schedule's report now")):
        as_user(p := sched.add_parser(action, help=text))
        p.add_argument("name")
    as_user(due := sched.add_parser("run-due", help="run what is due (for cron or a systemd timer)"))
    due.add_argument("--now", type=_moment, help=argparse.SUPPRESS)

    alerts = sub.add_parser("alerts", help="alert rules").add_subparsers(dest="action", required=True)
    as_user(rule := alerts.add_parser("add", help="a rule on a metric, or a built-in alert"))
    rule.add_argument("name")
    rule.add_argument("--metric", help="a metric id, e.g. on_time_rate")
    for op, text in (
        ("below", "fires below X"),
        ("above", "fires above X"),
        ("up", "fires on a rise of N %"),
        ("down", "fires on a fall of N %"),
    ):
        rule.add_argument(f"--{op}", metavar="X", help=text)
    rule.add_argument("--builtin", choices=("overdue", "churn_spike", "channel_shift"))
    rule.add_argument("--filter", default="", metavar="QUERY", help='link filters, e.g. "tier=diamond&region=East"')
    rule.add_argument("--days", type=int, help="the last N days of the data (default 30) unless --filter has from/to")
    rule.add_argument("--to", action="append", default=[], metavar="ADDRESS_OR_URL")
    rule.add_argument("--lang", choices=tuple(i18n.LANGS), default=i18n.DEFAULT_LANG)
    for action in ("list", "check", "events"):
        as_user(
            alerts.add_parser(
                action, help={"list": "rules", "check": "check every rule now", "events": "occurrences"}[action]
            )
        )
    for action, text in (
        ("remove", "delete a rule"),
        ("resolve", "close its open occurrence"),
        ("unmute", "deliver again"),
        ("mute", "check but do not deliver"),
    ):
        as_user(p := alerts.add_parser(action, help=text))
        p.add_argument("name")
        if action == "mute":
            p.add_argument("--days", type=int, help="for N days (default: until unmuted)")

    notes = sub.add_parser("notes", help="dated notes on the time charts").add_subparsers(dest="action", required=True)
    as_user(note := notes.add_parser("add", help="add a note"))
    note.add_argument("day", type=_day, metavar="YYYY-MM-DD")
    note.add_argument("text")
    note.add_argument("--end", type=_day, metavar="YYYY-MM-DD", help="the last day of a period")
    as_user(notes.add_parser("list", help="every note"))
    as_user(p := notes.add_parser("remove", help="delete a note"))
    p.add_argument("id", type=int)


def run(args: argparse.Namespace) -> dict:
    from insight.auth import users
    from insight.db.workspace import open_workspace

    ws = open_workspace(args.workspace)
    user = users.resolve(ws, args.as_user)
    return {
        "views": _views,
        "report": _report,
        "schedule": _schedule,
        "alerts": _alerts,
        "notes": _notes,
    }[args.command](ws, user, args)


def _views(ws, user, args) -> dict:
    from insight.reports import saved
    from insight.views.views import _records, page_view

    if args.action == "list":
        return {"views": _records(saved.table(ws, user))}
    if args.action == "save":
        view = saved.save(ws, user, args.name, args.link, shared=args.shared, pinned=args.pin)
    elif args.action == "remove":
        view = saved.remove(ws, user, args.name)
        return {"removed": view.ref}
    else:
        view = saved.find(ws, user, args.name)
    out = {
        "ref": view.ref,
        "name": view.name,
        "owner": view.owner,
        "shared": view.shared,
        "version": view.version,
        "link": view.link(),
    }
    if args.action == "show":
        figures = page_view(ws, view.link(), user.rows).to_dict()
        out["view"] = {**figures, "notes": [str(n) for n in figures["notes"]]}
    return out


def _report(ws, user, args) -> dict:
    from insight.reports import document, outbox, printer

    if not args.out and not args.to:
        raise InsightError(i18n.msg("report.where"))
    link, name = document.resolve(ws, user, args.target)
    out: dict = {"link": link, "as": user.name, "lang": args.lang}
    if args.out:
        report = document.build(ws, link, user, args.lang, name)
        Path(args.out).write_bytes(printer.render(report.html(), args.format))
        out |= {"out": args.out, "format": args.format, "kpis": report.view.to_dict()["kpis"]}
    if args.to:
        from insight.reports.deliver import check_targets

        targets = check_targets(args.to, users_too=True)
        fmt = args.format if args.format != "html" else "pdf"
        outcomes = outbox.send(ws, link, targets, as_user=user, lang=args.lang, fmt=fmt, name=name)
        out["sent"] = [{"to": o.target, "ok": o.ok, "error": o.error} for o in outcomes]
        if (failed := outbox.failures(outcomes)) is not None:
            raise failed
    return out


def _schedule(ws, user, args) -> dict:
    from insight.auth import users
    from insight.reports import schedule
    from insight.views.views import _records

    if args.action == "add":
        run_as = users.resolve(ws, args.run_as) if args.run_as else None
        made = schedule.add(
            ws,
            user,
            args.name,
            args.view,
            args.to,
            args.every,
            at=args.at,
            on=args.on,
            fmt=args.format,
            lang=args.lang,
            run_as=run_as,
        )
        return {
            "added": made.name,
            "when": made.describe(),
            "view": f"{made.view_owner}/{made.view_name}",
            "next_run": schedule.next_run(made, dt.datetime.now(dt.UTC).replace(tzinfo=None)),
        }
    if args.action == "list":
        return {"schedules": _records(schedule.table(ws))}
    if args.action == "remove":
        schedule.remove(ws, user, args.name)
        return {"removed": args.name}
    runs = [schedule.run(ws, schedule.get(ws, args.name))] if args.action == "run" else schedule.run_due(ws, args.now)
    out = {
        "ran": [
            {
                "schedule": r.schedule,
                "due": r.due,
                "ok": r.ok,
                "sent": [{"to": o.target, "ok": o.ok, "error": o.error} for o in r.outcomes],
            }
            for r in runs
        ]
    }
    failed = [r.schedule for r in runs if not r.ok]
    if failed:
        raise InsightError(i18n.msg("schedule.failed", names=", ".join(failed)), hint=i18n.msg("schedule.failed.hint"))
    return out


def _alerts(ws, user, args) -> dict:
    from insight.reports import alert_checks, alerts
    from insight.views.views import _records

    if args.action == "add":
        ops = [op for op in alerts.OPS if getattr(args, op) is not None]
        if len(ops) > 1:
            raise InsightError(i18n.msg("alerts.bad_op", choices=", ".join(f"--{o}" for o in alerts.OPS)))
        op = ops[0] if ops else None
        rule = alerts.add(
            ws,
            user,
            args.name,
            metric=args.metric,
            op=op,
            threshold=getattr(args, op) if op else None,
            builtin=args.builtin,
            query=args.filter,
            days=args.days,
            targets=args.to,
            lang=args.lang,
        )
        return {"added": rule.name, "kind": rule.kind, "threshold": rule.threshold, "filters": rule.query}
    if args.action == "list":
        return {"rules": _records(alerts.rules_table(ws))}
    if args.action == "events":
        return {"events": _records(alerts.events(ws, user, open_only=False))}
    if args.action == "check":
        checked = alert_checks.check(ws).to_dict()
        if checked["failed"]:
            details = "; ".join(f"{f['target']}: {f['error']}" for f in checked["failed"])
            raise InsightError(
                i18n.msg(
                    "deliver.failed",
                    count=len(checked["failed"]),
                    total=checked["delivered"] + len(checked["failed"]),
                    details=details,
                )
            )
        return checked
    if args.action == "remove":
        alerts.remove(ws, user, args.name)
        return {"removed": args.name}
    if args.action == "resolve":
        return {"resolved": alerts.resolve(ws, user, args.name)}
    if args.action == "mute":
        until = dt.datetime(9999, 12, 31) if args.days is None else _utc_now() + dt.timedelta(days=args.days)
        alerts.mute(ws, user, args.name, until)
        return {"muted": args.name, "until": until}
    alerts.mute(ws, user, args.name, None)
    return {"unmuted": args.name}


def _notes(ws, user, args) -> dict:
    from insight.domain import annotations
    from insight.views.views import _records

    if args.action == "add":
        return {"added": annotations.add(ws, user, args.day, args.text, args.end)}
    if args.action == "remove":
        annotations.remove(ws, user, args.id)
        return {"removed": args.id}
    return {"notes": _records(annotations.notes(ws))}


def human(command: str, out: dict) -> bool:
    """Print list results as aligned lines; False for what the caller prints as JSON."""
    rows = out.get({"views": "views", "schedule": "schedules", "alerts": "rules", "notes": "notes"}.get(command, ""))
    if rows is None and command == "alerts" and "events" in out:
        rows = out["events"]
    if rows is None:
        return False
    for row in rows:
        print("  ".join("" if v is None else str(v) for v in row.values()))
    if not rows:
        print("(none)")
    return True


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date and time") from None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
