"""`python -m insight`: the headless face of the same core the pages use (SPEC §4)."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import sys
import traceback
from pathlib import Path

from insight import handoff, settings
from insight.errors import InsightError
from insight.i18n import msg
from insight.reports import commands


@functools.cache  # built once per process: a serving app runs handed-off commands through it
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m insight", description="Customer Insight command line")
    p.add_argument("--workspace", help="workspace file (default: INSIGHT_WORKSPACE or data/workspace.duckdb)")
    p.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="(re)create the demo workspace")
    demo.add_argument("--customers", type=int, default=settings.DEMO_CUSTOMERS)
    demo.add_argument("--orders", type=int, default=settings.DEMO_ORDERS)
    demo.add_argument("--seed", type=int, default=settings.DEMO_SEED)
    demo.add_argument("--json", action="store_true")

    imp = sub.add_parser("import", help="import a file into a canonical table")
    imp.add_argument("file")
    imp.add_argument("--as", dest="table", required=True, help="customers, orders, tickets, campaigns or contacts")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="canonical=source",
        help="map a canonical column onto a source column (repeatable; 'canonical=' unmaps)",
    )
    imp.add_argument("--mode", choices=["replace", "append"], default="replace")
    imp.add_argument("--sheet")
    imp.add_argument("--encoding", default="auto")
    imp.add_argument("--delimiter", default="auto", help="auto, or the delimiter (',', ';', 'tab', '|', 'spaces')")
    imp.add_argument("--keep-duplicates", action="store_true", help="in append mode, keep rows already loaded")
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument(
        "--wide",
        metavar="auto|off|COLUMNS",
        default="auto",
        help="contacts: a wide response file (one 0/1 column per campaign) is detected and unpivoted (auto, the "
        "default); off imports it as it is; or name the campaign columns (comma-separated)",
    )
    imp.add_argument("--campaign", metavar="NAME", help="contacts without a campaign id: the one campaign's name")
    imp.add_argument("--json", action="store_true")

    view = sub.add_parser("view", help="the figures of one page view, as a share link has them")
    view.add_argument("link", help='e.g. "overview?from=2026-01-01&to=2026-06-30&region=East"')
    view.add_argument("--as", dest="as_user", metavar="USER", help="what USER would see (default: the owner)")
    view.add_argument("--json", action="store_true")
    engine_option(view)

    _users_parser(sub)
    log = sub.add_parser("audit", help="print the audit log, newest first")
    log.add_argument("--user")
    log.add_argument("--action", action="append", default=[], help="repeatable: signin, import, export, ...")
    log.add_argument("--since", type=_day, metavar="YYYY-MM-DD")
    log.add_argument("--limit", type=int, default=200)
    log.add_argument("--json", action="store_true")

    bench = sub.add_parser("bench", help="benchmarks of the issue-stated budgets")
    bench.add_argument("--orders", type=int, default=1_000_000)
    bench.add_argument("--import-rows", type=int, default=1_000_000)
    bench.add_argument("--only", choices=["import", "append", "peers", "paint"], help="run one part of the benchmark")
    bench.add_argument(
        "--sessions", type=int, metavar="N", help="N concurrent sessions on the real server, while a file imports"
    )
    bench.add_argument("--views", type=int, default=5, help="with --sessions: page views per session")
    bench.add_argument("--json", action="store_true")
    engine_option(bench)

    lake = sub.add_parser("lake", help="the Parquet copy of each data version that Spark reads")
    lake.add_argument(
        "action",
        choices=["export", "import"],
        help="export: write every kept version not written yet; import: read another tool's lake (PATH)",
    )
    lake.add_argument(
        "path", nargs="?", help="import: a lake in the canonical layout (<table>/[v<N>/]*.parquet, or partitioned)"
    )
    lake.add_argument("--json", action="store_true")

    datasets = sub.add_parser("datasets", help="list datasets, or delete one")
    datasets.add_argument("--delete", metavar="TABLE")
    datasets.add_argument("--json", action="store_true")
    commands.add_parsers(sub)
    return p


def engine_option(parser) -> None:
    parser.add_argument(
        "--engine",
        choices=settings.ENGINES,
        help="run the queries on DuckDB (default: INSIGHT_ENGINE, else duckdb) or on Spark",
    )
    parser.add_argument(
        "--lake",
        dest="lake_path",
        metavar="PATH",
        help="the lake Spark reads (default: INSIGHT_LAKE): another tool's tables there (<table>/*.parquet, "
        "partitions too) are read in place",
    )


def _users_parser(sub) -> None:
    from insight.auth.access import ROLES

    users = sub.add_parser("users", help="accounts: roles and row scopes").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--scope", action="append", default=[], metavar="DIM=V[,V]", help="repeatable; or 'all'")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--email", help="the email a single-sign-on identity maps to")
    scope = users.add_parser("scope", help="set the rows a user may see")
    scope.add_argument("name")
    scope.add_argument("scope", nargs="+", metavar="DIM=V[,V]", help="or 'all'")
    role = users.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    for action, text in (("remove", "remove a user"), ("unlock", "unlock a locked account")):
        users.add_parser(action, help=text).add_argument("name")
    users.add_parser("list", help="list users")
    for p in users.choices.values():
        p.add_argument("--json", action="store_true")


def _day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def _users(ws, args: argparse.Namespace) -> dict:
    from insight.auth import users
    from insight.auth.access import RowScope
    from insight.views.views import _records

    origin = "cli"
    if args.action == "add":
        user = users.add(ws, args.name, args.role, args.password, RowScope.parse(args.scope), args.email, origin=origin)
    elif args.action == "scope":
        user = users.change(ws, args.name, rows=RowScope.parse(args.scope), origin=origin)
    elif args.action == "role":
        user = users.change(ws, args.name, role=args.role, origin=origin)
    elif args.action == "unlock":
        user = users.change(ws, args.name, unlock=True, origin=origin)
    elif args.action == "remove":
        users.remove(ws, args.name, origin=origin)
        return {"removed": args.name}
    else:
        return {"users": _records(users.table(ws))}
    return {"name": user.name, "role": user.role, "scope": user.rows.describe(), "email": user.email}


def _view(ws, args: argparse.Namespace) -> dict:
    from insight.auth import access, users
    from insight.cache import page_view
    from insight.i18n import msg
    from insight.views.views import parse_link

    user = users.resolve(ws, args.as_user)
    page, _ = parse_link(args.link)
    if not access.may_open(user.role, page):
        raise InsightError(msg("access.page_denied", page=page, role=user.role))
    # Every section; computed once per state in a process (a command handed to the serving app
    # shares the view its pages computed).
    view = page_view(str(ws.path), ws.version(), args.link, user.rows, everything=True)
    out = view.to_dict()  # notes as {"kind", "text"} (English)
    return {**out, "as": user.name, "scope": user.rows.describe()}


def _mapping(pairs: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for pair in pairs:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip():
            raise InsightError(msg("cli.bad_map", pair=pair), hint=msg("cli.bad_map.hint"))
        out[canonical.strip()] = source or None
    return out


def _exported(ws, out: dict) -> dict:
    """With the Spark engine, the new version goes to the lake at import (Spark would otherwise
    export it on first use)."""
    if settings.engine() == "spark":
        from insight.db import lake

        lake.export_all(ws)
    return out


def run(args: argparse.Namespace) -> dict:
    from insight.db.workspace import open_workspace

    if getattr(args, "engine", None):  # before the workspace opens: it attaches the engine
        os.environ["INSIGHT_ENGINE"] = args.engine
    if getattr(args, "lake_path", None):  # (the engine reads the lake's tables in place as it attaches)
        os.environ["INSIGHT_LAKE"] = args.lake_path
    if args.command == "bench" and settings.engine() == "spark":
        from insight.bench_spark import run_spark_bench

        return run_spark_bench(orders=args.orders)
    if args.command in commands.COMMANDS:
        return commands.run(args)
    if args.command == "bench":
        from insight.bench import run_bench

        return run_bench(args.orders, args.import_rows, args.only, args.sessions, args.views)
    ws = open_workspace(args.workspace)
    if args.command == "demo":
        from insight.demo_workspace import build_demo

        return _exported(ws, build_demo(ws, customers=args.customers, orders=args.orders, seed=args.seed))
    if args.command == "import":
        from insight.ingest.importer import import_file

        delimiter = {"tab": "\t", "spaces": "whitespace", "\\t": "\t"}.get(args.delimiter, args.delimiter)
        result = import_file(
            ws,
            args.file,
            args.table,
            overrides=_mapping(args.map),
            mode=args.mode,
            sheet=args.sheet,
            encoding=args.encoding,
            delimiter=delimiter,
            keep_duplicates=args.keep_duplicates,
            dry_run=args.dry_run,
            wide_columns=args.wide if args.wide in ("auto", "off") else [c.strip() for c in args.wide.split(",")],
            campaign=args.campaign,
        )
        if not args.dry_run:
            from insight.auth import audit
            from insight.reports import alert_checks

            audit.record(ws, "owner", "import", f"{args.file} -> {args.table} ({args.mode})", "cli")
            return _exported(ws, {**result.to_dict(), "alerts": alert_checks.after_import(ws).to_dict()})
        return result.to_dict()
    if args.command == "view":
        return _view(ws, args)
    if args.command == "lake":
        from insight.db import foreign_lake, lake

        if args.action == "import":
            if not args.path:
                raise InsightError(msg("lake.no_tables", folder="-"), hint=msg("lake.import.path"))
            return _exported(ws, {"lake": str(args.path), "imported": foreign_lake.adopt(ws, Path(args.path))})
        return {"lake": str(lake.root(ws)), "versions": lake.export_all(ws)}
    if args.command == "users":
        return _users(ws, args)
    if args.command == "audit":
        from insight.auth import audit
        from insight.views.views import _records

        found = audit.entries(ws, who=args.user, actions=args.action, since=args.since, limit=args.limit)
        return {"entries": _records(found)}
    if args.command == "datasets":
        if args.delete:
            from insight.auth import audit
            from insight.ingest.importer import delete

            version = delete(ws, args.delete)
            audit.record(ws, "owner", "delete", f"{args.delete} (version {version})", "cli")
            return {"deleted": args.delete, "version": version}
        from insight.views.views import _records

        return {"datasets": _records(ws.datasets())}
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    """Exit 0 on success; 2 on a user error (one line: file, column, rows, what to do); 1 on a bug
    (one line, or the trace with --debug). No traceback reaches a user otherwise. A command on a
    workspace the serving app holds is handed to the app (insight/handoff.py)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    try:
        stdin = sys.stdin.readline().rstrip("\r\n") if getattr(args, "password_stdin", False) else None
        reply = _outcome(args, stdin)
        if reply.get("held") and args.command not in handoff.LOCAL:
            path = settings.workspace_path(args.workspace).resolve()
            reply = handoff.forward(path, argv, stdin) or reply
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    if "out" in reply:
        if args.json:
            print(json.dumps(reply["out"], ensure_ascii=False, allow_nan=False))
        else:
            _print_human(args.command, reply["out"])
        return 0
    if "error" in reply:
        print("error: " + reply["error"], file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps(reply["detail"], ensure_ascii=False, allow_nan=False), file=sys.stderr)
        return 2
    print(f"error: {msg('cli.unexpected')}", file=sys.stderr)
    return 1


def execute(argv: list[str], *, cwd: str, stdin: str | None, workspace: Path) -> dict:
    """A command handed over by a CLI (insight/handoff.py), run in this process on `workspace`:
    its paths are the CLI's, relative to its working directory `cwd`."""
    args = _parser().parse_args(argv)
    for name in ("file", "out"):
        if getattr(args, name, None):
            setattr(args, name, str(Path(cwd, getattr(args, name))))
    args.workspace = str(workspace)
    return _outcome(args, stdin)


def _outcome(args: argparse.Namespace, stdin: str | None) -> dict:
    """The answer to one command, as JSON can carry it: {"out": ...}, {"error": line, "detail": {...}}
    (with "held": true when another process holds the workspace) or {"bug": true}."""
    from insight.db.connection import WorkspaceHeld

    args.password = stdin
    try:
        return {"out": jsonable(run(args))}
    except InsightError as exc:
        held = isinstance(exc, WorkspaceHeld)
        return {"error": " ".join(str(exc).split()), "detail": jsonable(exc.to_dict()), "held": held}
    except Exception:
        if args.debug:
            traceback.print_exc()
        return {"bug": True}


def jsonable(value):
    """`value` with only what JSON can say: no NaN or infinity (null), plain ints and floats, dates
    as ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (dt.date, dt.datetime)):
        value = value.item()  # numpy and pandas scalars
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _print_human(command: str, out: dict) -> None:
    if commands.human(command, out):
        return
    if command == "import":
        version = "dry run" if out["version"] is None else f"version {out['version']}"
        print(
            f"{out['file']} -> {out['table']}: read {out['rows_read']:,}, loaded {out['rows_loaded']:,}, "
            f"rejected {out['rows_rejected']:,} ({version})"
        )
        for canonical, g in out.get("guesses", {}).items():
            print(f"  {canonical} <- {g['source']!r} ({g['how']}: {g['evidence']})")
        for canonical, why in out.get("not_guessed", {}).items():
            print(f"  {canonical}: not mapped — {why}")
        for line in out["choices"] + out["derived"]:
            print(f"  {line}")
        for r in out["rejects"][:20]:
            print(f"  row {r['row']}, {r['column']}: {r['value']!r} — {r['reason']}")
        for w in out["warnings"]:
            print(f"  note: {w}")
        for c in out["coverage"]:
            print(f"  {c['matched']:,} of {c['ids']:,} customer ids appear in {c['table']}")
        if out["unmapped"]:
            print(f"  kept as attributes: {', '.join(out['unmapped'])}")
    elif command == "audit":
        for e in out["entries"]:
            mark = "" if e["ok"] else "  [failed]"
            print(f"{e['at']}  {e['who']:<16} {e['action']:<14} {e['what'] or ''}  ({e['origin'] or '-'}){mark}")
    elif command == "users" and "users" in out:
        for u in out["users"]:
            print(f"{u['name']:<20} {u['role']:<9} {u['scope']}" + (f"  <{u['email']}>" if u["email"] else ""))
    elif command == "lake" and "imported" in out:
        for v in out["imported"]:
            print(f"{v['table']} v{v['version']}: {v['rows']:,} rows from {v['folder']}")
    elif command == "lake":
        for v in out["versions"]:
            print(f"{v['table']} v{v['version']}: {v['path']}" + ("" if v["written"] else " (already there)"))
    elif command == "bench" and "spark_session_s" in out:
        from insight.bench_spark import describe

        print(describe(out))
    elif command == "bench" and "import_csv" in out:
        from insight.bench import describe_import

        print(describe_import(out["import_csv"]))
        rest = {k: v for k, v in out.items() if k != "import_csv"}
        if set(rest) - {"machine"}:
            print(json.dumps(rest, ensure_ascii=False, indent=2))
    else:
        print(json.dumps(out, ensure_ascii=False, indent=2))
