"""`python -m insight`: the headless face of the same core the pages use (SPEC §4)."""

from __future__ import annotations

import argparse
import json
import sys

from insight import settings
from insight.errors import InsightError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m insight", description="Customer Insight command line")
    p.add_argument("--workspace", help="workspace file (default: INSIGHT_WORKSPACE or data/workspace.duckdb)")
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
        metavar="COLUMNS",
        help="contacts: unpivot a wide response file, one 0/1 column per campaign (comma-separated names, or auto)",
    )
    imp.add_argument("--json", action="store_true")

    view = sub.add_parser("view", help="the figures of one page view, as a share link has them")
    view.add_argument("link", help='e.g. "overview?from=2026-01-01&to=2026-06-30&region=East"')
    view.add_argument("--json", action="store_true")

    bench = sub.add_parser("bench", help="benchmarks of the issue-stated budgets")
    bench.add_argument("--orders", type=int, default=1_000_000)
    bench.add_argument("--import-rows", type=int, default=1_000_000)
    bench.add_argument("--json", action="store_true")

    datasets = sub.add_parser("datasets", help="list datasets, or delete one")
    datasets.add_argument("--delete", metavar="TABLE")
    datasets.add_argument("--json", action="store_true")
    return p


def _mapping(pairs: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for pair in pairs:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip():
            raise InsightError(f"--map {pair!r} is not canonical=source", hint='e.g. --map "created_at=Date received"')
        out[canonical.strip()] = source or None
    return out


def run(args: argparse.Namespace) -> dict:
    from insight.workspace import open_workspace

    ws = open_workspace(args.workspace)
    if args.command == "demo":
        from insight.demo_workspace import build_demo

        return build_demo(ws, customers=args.customers, orders=args.orders, seed=args.seed)
    if args.command == "import":
        from insight.importer import import_file

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
            wide_columns=[c.strip() for c in args.wide.split(",") if c.strip()] if args.wide else None,
        )
        return result.to_dict()
    if args.command == "view":
        from insight.views import page_view

        return page_view(ws, args.link).to_dict()
    if args.command == "bench":
        from insight.bench import run_bench

        return run_bench(orders=args.orders, import_rows=args.import_rows)
    if args.command == "datasets":
        if args.delete:
            from insight.importer import delete

            return {"deleted": args.delete, "version": delete(ws, args.delete)}
        from insight.views import _records

        return {"datasets": _records(ws.datasets())}
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        out = run(args)
    except InsightError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps(exc.to_dict(), ensure_ascii=False), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        _print_human(args.command, out)
    return 0


def _print_human(command: str, out: dict) -> None:
    if command == "import":
        print(
            f"{out['file']} -> {out['table']}: read {out['rows_read']}, loaded {out['rows_loaded']}, "
            f"rejected {out['rows_rejected']} (version {out['version']})"
        )
        for r in out["rejects"][:20]:
            print(f"  row {r['row']}, {r['column']}: {r['value']!r} — {r['reason']}")
        for w in out["warnings"]:
            print(f"  note: {w}")
        print(f"  mapping: {out['mapping']}; kept unmapped: {out['unmapped']}")
    else:
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
