"""The import pipeline: read -> map -> type -> integrity -> publish with facts (all or nothing).

Each step runs in SQL on one DuckDB cursor over temp tables, so a million-row file never passes
through Python row by row. Nothing touches the workspace until the publish, which writes the new
version *and* the facts and derived tables the pages read in one transaction: a failure at any
step leaves the previous version serving.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from insight import settings
from insight.db import dialect, facts
from insight.db.schema import TABLE_NAMES
from insight.db.workspace import Workspace, quote
from insight.errors import InsightError
from insight.i18n import Message, msg
from insight.ingest import direct, integrity, mapping, reader, wide
from insight.ingest.plan import RAW, TYPED, Plan, first_reject, reject_text

MODES = ("replace", "append")
_STREAMED = ("orders", "tickets")
#: `wide=` values: detect a wide response file and unpivot it, or never.
WIDE_AUTO, WIDE_OFF = "auto", "off"

Progress = Callable[[float, str], None]
#: How a text column known to hold no value twice is stored: DuckDB's default for text (dictionary,
#: else FSST) finds no repeats to share there and costs 3x the write time of zstd, which is smaller.
UNIQUE_TEXT = "zstd"
#: How the orders' customer ids are stored: tens of thousands of ids, each on a few dozen rows, give
#: dictionary+FSST little to share, and analysing and encoding them took 0.1-0.15 CPU-s per million
#: rows of the publish; scans of them (the facts', the pages') are no slower uncompressed.
CUSTOMER_TEXT = "uncompressed"
#: How the orders' time and the fact's integer and date columns are stored: as DuckDB picks for
#: them (the rows are sorted by time), named so that no other method is tried on them first.
ORDERS_NUMBERS = dict.fromkeys(
    ("order_date", "_channel_code", "_cust", "_first_at", "_first_channel_code", "_last_day", "_prev_day"), "bitpacking"
)


@dataclass
class Preview:
    parsed: reader.Parsed
    rows: pd.DataFrame
    proposal: mapping.Proposal
    template_used: bool
    signature: str
    wide: wide.Wide | None = None  # contacts: one response column per campaign

    @property
    def mapping(self) -> dict[str, str]:
        return self.proposal.mapping


@dataclass
class Result:
    table: str
    file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: pd.DataFrame  # row, column, value, reason (catalog key), detail
    mapping: dict[str, str]
    unmapped: list[str]
    duplicate_rows: int
    duplicates_existing: int
    version: int | None
    read: dict
    derived: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    choices: list[Message] = field(default_factory=list)  # how the file does without ids it lacks
    date_formats: dict[str, str] = field(default_factory=dict)
    proposal: mapping.Proposal | None = None
    coverage: list[dict] = field(default_factory=list)
    superseded: int = 0  # rows whose key a later row of the file repeats (the later row wins)
    replaced: int = 0  # append: rows of the table whose key the file brings again

    def to_dict(self, rejects_limit: int = settings.REJECTS_SHOWN) -> dict:
        return {
            "table": self.table,
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rejects": reject_text(self.rejects.head(rejects_limit)).to_dict("records"),
            "mapping": self.mapping,
            **(self.proposal.describe() if self.proposal else {}),
            "unmapped": self.unmapped,
            "duplicate_rows": self.duplicate_rows,
            "duplicates_existing": self.duplicates_existing,
            "superseded_rows": self.superseded,
            "replaced_rows": self.replaced,
            "coverage": self.coverage,
            "choices": [str(c) for c in self.choices],
            "derived": [str(d) for d in self.derived],
            "warnings": [str(w) for w in self.warnings],
            "date_formats": self.date_formats,
            "read": self.read,
            "version": self.version,
        }


def preview(
    ws: Workspace,
    path: str | os.PathLike,
    table: str,
    *,
    display_name: str | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
    delimiter: str = "auto",
    wide_columns: list[str] | str | None = None,
    overrides: dict[str, str | None] | None = None,
) -> Preview:
    """Read the file and propose the mapping (a saved template wins over the guess)."""
    _check_table(table)
    name = display_name or Path(path).name
    with ws.cursor() as cur:
        parsed = reader.read(
            cur, path, table=RAW, display_name=name, sheet=sheet, encoding=encoding, delimiter=delimiter
        )
        found = wide.detect(cur, RAW, parsed.columns, overrides) if table == "contacts" else None
        unpivoted = _unpivot(cur, parsed, wide_columns, found, overrides, name)
        rows = cur.execute(f"SELECT * EXCLUDE (_row) FROM {RAW} ORDER BY _row LIMIT {settings.PREVIEW_ROWS}").df()
        sig = mapping.signature(table, parsed.columns)
        template = ws.template(sig)
        proposal = mapping.propose(cur, RAW, table, parsed.columns, template)
    _wide_guesses(proposal, unpivoted)
    return Preview(parsed, rows, proposal, template is not None, sig, found)


def import_file(
    ws: Workspace,
    path: str | os.PathLike,
    table: str,
    *,
    overrides: dict[str, str | None] | None = None,
    mode: str = "replace",
    display_name: str | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
    delimiter: str = "auto",
    keep_duplicates: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    wide_columns: list[str] | str | None = None,
    campaign: str | None = None,
) -> Result:
    """Import `path` as `table`. `overrides` change the proposed mapping ({canonical: source or None}).

    With `dry_run` the file is read and validated but nothing is written. `wide_columns` (contacts:
    "auto" to detect them, "off", or the column names) unpivots a wide response file into contacts
    first. `campaign` names the one campaign of a contacts file without a campaign id.
    """
    _check_table(table)
    if mode not in MODES:
        raise InsightError(msg("import.unknown_mode", mode=mode), hint=msg("import.unknown_mode.hint"))
    step = progress or (lambda fraction, text: None)
    name = display_name or Path(path).name
    # Event tables replaced by a plain text file are typed as they are read (insight/ingest/stream.py):
    # nothing edits their typed rows but the rejects' removal.
    streamed = table in _STREAMED and mode == "replace"
    with ws.cursor() as cur:
        step(0.05, "reading")
        parsed = reader.read(
            cur,
            path,
            table=RAW,
            display_name=name,
            sheet=sheet,
            encoding=encoding,
            delimiter=delimiter,
            stream=streamed,
        )
        found = wide.detect(cur, RAW, parsed.columns, overrides) if table == "contacts" else None
        unpivoted = _unpivot(cur, parsed, wide_columns, found, overrides, name)
        sig = mapping.signature(table, parsed.columns)
        template = ws.template(sig)
        proposal = mapping.propose(cur, RAW, table, parsed.columns, template)  # (samples the first rows)
        _wide_guesses(proposal, unpivoted)
        chosen = dict(proposal.mapping)
        for canonical, source in (overrides or {}).items():
            if unpivoted and canonical in unpivoted["mapping"]:
                continue  # the unpivot used it already
            chosen = {k: v for k, v in chosen.items() if v != source or canonical == k}
            if source in (None, ""):
                chosen.pop(canonical, None)
            else:
                chosen[canonical] = source
        chosen = mapping.validate(table, chosen, parsed.columns, file=name)

        step(0.3, "checking types")
        plan = Plan(cur, table, parsed, chosen, name, campaign, sampled=template is None)
        plan.prepare()
        if direct.applies(cur, plan, mode, dry_run):
            result = _publish_direct(ws, cur, plan, sig, proposal, step)
            if result is not None:
                return result
        plan.materialise()
        step(0.6, "checking duplicates")
        unique = integrity.unique_ids(cur, plan.ids)
        duplicates = integrity.duplicate_rows(cur, unique, parsed.columns, plan.loaded == parsed.rows)
        result = _result(plan, proposal, unpivoted, duplicates)
        if plan.loaded == 0:
            raise InsightError(
                msg("import.nothing_loaded", count=f"{result.rows_read:,}", first=first_reject(result.rejects)),
                file=name,
                rows=[int(r) for r in result.rejects["row"].head(10)],
                hint=msg("import.nothing_loaded.hint"),
            )
        kept = integrity.keep_last_per_key(cur, table)
        if kept.rows:
            result.superseded, result.rows_loaded = kept.rows, result.rows_loaded - kept.rows
            keys = ", ".join(map(str, kept.keys))
            result.warnings.append(
                msg("note.superseded", count=f"{kept.rows:,}", column=integrity.KEYS[table], keys=keys)
            )
        snap = ws.snapshot()
        _links(cur, ws, snap, plan, result)
        # (orders keep the file's row number: a unique key the fact's window joins back on)
        select = f"SELECT * EXCLUDE ({'' if table == 'orders' else '_row, '}_ok) FROM {TYPED}"
        columns = set(plan.output_columns)
        if mode == "append" and snap.has(table):
            select = _append(cur, ws, snap, table, plan, result, keep_duplicates, select)
            columns |= {c for c in ws.columns(table, snap) if not facts.internal(c)}
        if dry_run:
            return result
        compress = None
        if table == "orders":  # published with the fact's own columns: its fact is then the version itself
            unique_orders = "order_id" in unique
            if unique_orders and mode == "append" and snap.has(table):  # unique with the table's rows too?
                unique_orders = "order_id" in integrity.unique_ids(cur, ["order_id"], f"({select})")
            # (the row key the fact's window joins back on, and orders at one time follow: the order
            # id where it is unique, as the direct publish has it, else the file's row number; an
            # append's existing rows come first, in their order: as an import of them and the file)
            key = "order_id" if unique_orders else "_row"
            select = f"SELECT * EXCLUDE (_row) FROM ({select})" if unique_orders else select
            select = facts.orders_select(cur, f"({select})", columns, key=key, unique_ids=unique_orders, snap=snap)
            compress = ORDERS_NUMBERS | {"customer_id": CUSTOMER_TEXT}
            compress |= {"order_id": UNIQUE_TEXT} if unique_orders else {}
        step(0.8, "publishing")
        try:
            with ws.writer(cur):
                result.version = ws.publish(
                    cur, table, select, op=mode, source_file=name, report=_report(result), compress=compress
                )
                ws.save_template(cur, sig, table, chosen)
                step(0.9, "building facts")
                facts.build(ws, cur, {**snap.tables, table: f"{table}__v{result.version}"})
        except InsightError as exc:  # a full disk or memory: the previous version still serves
            exc.file = exc.file or name
            raise
        step(1.0, "done")
        return result


def _result(plan: Plan, proposal: mapping.Proposal, unpivoted: dict | None, duplicates: int) -> Result:
    """The report of a typed import (rows, rejects, notes) before its links to the other tables."""
    parsed = plan.parsed
    result = Result(
        table=plan.table,
        file=plan.file,
        rows_read=parsed.rows + parsed.unreadable_rows,
        rows_loaded=plan.loaded,
        rows_rejected=plan.rejected,
        rejects=plan.rejects(),
        mapping=plan.chosen,
        unmapped=plan.extras_source,
        duplicate_rows=duplicates,
        duplicates_existing=0,
        version=None,
        read=parsed.describe(),
        derived=plan.derived + ([unpivoted["note"]] if unpivoted else []),
        warnings=plan.warnings + _read_notes(parsed),
        choices=plan.choices,
        date_formats=plan.date_formats,
        proposal=proposal,
    )
    if duplicates:
        result.warnings.append(msg("note.duplicate_rows", count=f"{duplicates:,}"))
    return result


def _links(cur, ws: Workspace, snap, plan: Plan, result: Result, rows: str = TYPED) -> None:
    """Guest orders and the file's customer ids found in the other tables, as notes (`rows`: the
    loaded rows)."""
    guests = integrity.guest_orders(cur, plan.output_columns, rows) if plan.table == "orders" else None
    if guests:
        result.warnings.append(guests)
    result.coverage, low = integrity.coverage(cur, ws, snap, plan.table, plan.output_columns, rows)
    result.warnings += low


def _report(result: Result) -> dict:
    """What `_imports` keeps of an import's result."""
    return {k: v for k, v in result.to_dict(rejects_limit=0).items() if k != "rejects"}


def _publish_direct(ws: Workspace, cur, plan: Plan, sig: str, proposal, step: Progress) -> Result | None:
    """Type and publish an orders file in the statement that reads it, then check it (see
    insight/ingest/direct.py); None when it needs the usual import after all (rolled back)."""
    snap = ws.snapshot()
    step(0.8, "publishing")
    try:
        with ws.writer(cur):
            compress = ORDERS_NUMBERS | {"customer_id": CUSTOMER_TEXT, "order_id": UNIQUE_TEXT}
            version, physical = direct.publish(ws, cur, plan, compress, snap)
            result = _result(plan, proposal, None, 0)
            _links(cur, ws, snap, plan, result, quote(physical))
            ws.set_report(cur, version, _report(result))  # (as the usual import's: written before its version)
            result.version = version
            ws.save_template(cur, sig, plan.table, plan.chosen)
            step(0.9, "building facts")
            facts.build(ws, cur, {**snap.tables, plan.table: physical})
    except (direct.Refused, duckdb.Error):
        return None
    except InsightError as exc:  # a full disk or memory: the previous version still serves
        exc.file = exc.file or plan.file
        raise
    step(1.0, "done")
    return result


def _append(cur, ws, snap, table, plan, result: Result, keep_duplicates: bool, select: str) -> str:
    """The SELECT of an append: keyed tables replace rows by key; others skip rows already there."""
    existing = snap[table]
    ours = [quote(c) for c in ws.columns(table, snap) if facts.internal(c)]
    if table == "orders":  # internals computed again over all the rows; rows keyed below the file's, in order
        below = f"{dialect.row_id('x')} - (SELECT count(*) FROM {existing})"
        existing = f"(SELECT {dialect.star_except('x', ours)}, {below} AS _row FROM {existing} x)"
    elif ours:
        existing = f"(SELECT * EXCLUDE ({', '.join(ours)}) FROM {existing})"
    if table in integrity.KEYS:
        result.replaced = integrity.replaced_on_append(cur, table, existing)
        if result.replaced:
            result.warnings.append(
                msg("note.replaced", count=f"{result.replaced:,}", table=table, column=integrity.KEYS[table])
            )
        return integrity.append_select(table, existing, select)
    shared = [c for c in plan.output_columns if c in set(ws.columns(table, snap))]
    result.duplicates_existing = integrity.existing_duplicates(cur, existing, shared)
    if result.duplicates_existing:
        verb = "kept" if keep_duplicates else "skipped"
        result.warnings.append(msg(f"note.already_there.{verb}", count=f"{result.duplicates_existing:,}", table=table))
        if not keep_duplicates:
            integrity.drop_existing(cur)
            result.rows_loaded -= result.duplicates_existing
    return integrity.append_select(table, existing, select)


def _unpivot(
    cur, parsed: reader.Parsed, asked, found: wide.Wide | None, overrides: dict | None, name: str
) -> dict | None:
    """Unpivot the raw rows of a wide response file in place: the note and the mapping it implies."""
    if asked in (None, WIDE_OFF, [], ()):
        return None
    if asked == WIDE_AUTO or asked == [WIDE_AUTO]:
        if found is None:
            return None
        chosen = found.campaigns
    else:
        chosen = list(asked)
    ident = wide.id_column(parsed.columns, overrides)
    before = parsed.rows
    parsed.columns = wide.unpivot(cur, RAW, parsed.columns, chosen, ident, name)
    parsed.blanks = True  # generated ids hold the file's name
    parsed.rows = cur.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0]
    left_out = [c for c in (found.left_out if found else []) if c not in chosen]
    note = msg(
        "derived.unpivot",
        count=len(chosen),
        columns=", ".join(chosen),
        rows=f"{before:,}",
        contacts=f"{parsed.rows:,}",
        left_out=", ".join(left_out) or "—",
    )
    implied = {"campaign_id": "campaign_id", "responded": "responded"}
    implied["customer_id"] = ident or wide.GENERATED_ID
    return {"note": note, "mapping": implied}


def _wide_guesses(proposal: mapping.Proposal, unpivoted: dict | None) -> None:
    """The columns an unpivot implies (id, campaign, response) are the mapping's, with its note."""
    if not unpivoted:
        return
    for canonical, source in unpivoted["mapping"].items():
        proposal.guesses[canonical] = mapping.Guess(source, "wide", unpivoted["note"])
        proposal.missing.pop(canonical, None)
    proposal.mapping = {c: g.source for c, g in proposal.guesses.items()}


def _read_notes(parsed: reader.Parsed) -> list[Message]:
    notes = []
    for column, cells in parsed.cleaned.items():
        notes.append(msg("note.control_characters", column=column, count=f"{cells:,}"))
    if parsed.blank_rows:
        notes.append(msg("note.blank_rows", count=f"{parsed.blank_rows:,}"))
    return notes


def _check_table(table: str) -> None:
    if table not in TABLE_NAMES:
        raise InsightError(msg("import.unknown_table", table=table), hint=msg("import.unknown_table.hint"))


def delete(ws: Workspace, table: str) -> int:
    """Delete a table (all its versions) and the derived tables built on it, in one transaction."""
    _check_table(table)
    with ws.writer() as cur:
        version = ws.delete(table, cur)
        tables = {t: p for t, p in ws.snapshot().tables.items() if t != table}
        facts.build(ws, cur, tables)
    return version
