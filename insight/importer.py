"""The import pipeline: read -> map -> coerce -> derive -> report -> publish (all or nothing).

Each step runs in SQL on one DuckDB cursor over temp tables, so a million-row file never passes
through Python row by row. Nothing touches the workspace until `Workspace.publish` swaps the new
version in inside one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from insight import coerce, facts, mapping, reader, settings, wide
from insight.errors import InsightError
from insight.schema import (
    CANCELLED,
    COMPLETED,
    DATE,
    RETURNED,
    STATUS_WORDS,
    TABLE_NAMES,
    column,
    columns,
    required,
)
from insight.workspace import Workspace, quote

RAW, TYPED = "raw_import", "typed_import"
MODES = ("replace", "append")

Progress = Callable[[float, str], None]


@dataclass
class Preview:
    parsed: reader.Parsed
    rows: pd.DataFrame
    mapping: dict[str, str]
    template_used: bool
    signature: str
    wide_candidates: list[str] = field(default_factory=list)  # contacts: one response column per campaign


@dataclass
class Result:
    table: str
    file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: pd.DataFrame
    mapping: dict[str, str]
    unmapped: list[str]
    duplicate_rows: int
    duplicates_existing: int
    version: int | None
    read: dict
    derived: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    date_formats: dict[str, str] = field(default_factory=dict)

    def to_dict(self, rejects_limit: int = settings.REJECTS_SHOWN) -> dict:
        return {
            "table": self.table,
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rejects": self.rejects.head(rejects_limit).to_dict("records"),
            "mapping": self.mapping,
            "unmapped": self.unmapped,
            "duplicate_rows": self.duplicate_rows,
            "duplicates_existing": self.duplicates_existing,
            "derived": self.derived,
            "warnings": self.warnings,
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
    wide_columns: list[str] | None = None,
) -> Preview:
    """Read the file and guess the mapping (a saved template wins over the guess)."""
    _check_table(table)
    with ws.cursor() as cur:
        parsed = reader.read(
            cur, path, table=RAW, display_name=display_name, sheet=sheet, encoding=encoding, delimiter=delimiter
        )
        found = wide.candidates(cur, RAW, parsed.columns) if table == "contacts" else []
        if wide_columns:
            _unpivot(cur, parsed, wide_columns, None, display_name or Path(path).name)
        rows = cur.execute(f"SELECT * EXCLUDE (_row) FROM {RAW} ORDER BY _row LIMIT {settings.PREVIEW_ROWS}").df()
    sig = mapping.signature(table, parsed.columns)
    template = ws.template(sig)
    guessed = template if template is not None else mapping.guess(table, parsed.columns)
    guessed = {k: v for k, v in guessed.items() if v in parsed.columns}
    return Preview(parsed, rows, guessed, template is not None, sig, found)


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
    wide_columns: list[str] | None = None,
) -> Result:
    """Import `path` as `table`. `overrides` change the guessed mapping ({canonical: source or None}).

    With `dry_run` the file is read and validated but nothing is written. `wide_columns` (contacts
    only; `["auto"]` to detect them) unpivots a wide response file into contacts first.
    """
    _check_table(table)
    if mode not in MODES:
        raise InsightError(f"unknown mode {mode!r}", hint="use replace or append")
    step = progress or (lambda fraction, text: None)
    name = display_name or Path(path).name
    with ws.cursor() as cur:
        step(0.05, "reading")
        parsed = reader.read(
            cur, path, table=RAW, display_name=name, sheet=sheet, encoding=encoding, delimiter=delimiter
        )
        unpivoted = _unpivot(cur, parsed, wide_columns, overrides, name) if wide_columns else None
        sig = mapping.signature(table, parsed.columns)
        chosen = ws.template(sig) or mapping.guess(table, parsed.columns)
        chosen = {k: v for k, v in chosen.items() if v in parsed.columns}
        for canonical, source in (overrides or {}).items():
            if source in (None, ""):
                chosen.pop(canonical, None)
            else:
                chosen = {k: v for k, v in chosen.items() if v != source}
                chosen[canonical] = source
        chosen = mapping.validate(table, chosen, parsed.columns, file=name)

        step(0.3, "checking types")
        plan = _Plan(cur, table, parsed, chosen, name)
        plan.build()
        step(0.6, "checking duplicates")
        duplicate_rows = _duplicate_rows(cur, parsed.columns)
        result = Result(
            table=table,
            file=name,
            rows_read=parsed.rows,
            rows_loaded=plan.loaded,
            rows_rejected=plan.rejected,
            rejects=plan.rejects,
            mapping=chosen,
            unmapped=plan.extras_source,
            duplicate_rows=duplicate_rows,
            duplicates_existing=0,
            version=None,
            read=parsed.describe(),
            derived=plan.derived,
            warnings=plan.warnings,
            date_formats=plan.date_formats,
        )
        if unpivoted:
            result.derived.append(unpivoted)
        if duplicate_rows:
            result.warnings.append(f"{duplicate_rows} rows are exact duplicates of another row in the file")
        if plan.loaded == 0:
            raise InsightError(
                f"none of the {parsed.rows} rows could be loaded; first problem: " + _first_reject(plan.rejects),
                file=name,
                hint="check the column mapping and the file's formats",
            )
        snap = ws.snapshot()
        select = f"SELECT * EXCLUDE (_row) FROM {TYPED} ORDER BY _row"
        if mode == "append" and snap.has(table):
            existing = snap[table]
            shared = [c for c in plan.output_columns if c in set(ws.columns(table, snap))]
            result.duplicates_existing = _existing_duplicates(cur, existing, shared)
            if result.duplicates_existing:
                verb = "kept" if keep_duplicates else "skipped"
                result.warnings.append(f"{result.duplicates_existing} rows are already in {table} and were {verb}")
                if not keep_duplicates:
                    _drop_existing(cur)
                    result.rows_loaded -= result.duplicates_existing
            select = f"SELECT * FROM {existing} UNION ALL BY NAME ({select})"
        if dry_run:
            return result
        step(0.8, "publishing")
        report = {k: v for k, v in result.to_dict(rejects_limit=0).items() if k != "rejects"}
        with ws.writer(cur):
            result.version = ws.publish(cur, table, select, op=mode, source_file=name, report=report)
            ws.save_template(cur, sig, table, chosen)
        if table in ("orders", "customers"):
            facts.refresh(ws)
        step(1.0, "done")
        return result


def _unpivot(cur, parsed: reader.Parsed, chosen: list[str], overrides: dict | None, name: str) -> str:
    """Unpivot the raw table of a wide response file in place; the note for the report."""
    if chosen == ["auto"]:
        chosen = wide.candidates(cur, RAW, parsed.columns, overrides)
        if not chosen:
            raise InsightError(
                "no campaign response columns found (0/1 or yes/no, at least two)",
                file=name,
                hint="name the campaign columns, or import the file as it is",
            )
    rows_before = parsed.rows
    parsed.columns = wide.unpivot(cur, RAW, parsed.columns, chosen, overrides, name)
    parsed.rows = cur.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0]
    return (
        f"unpivoted {len(chosen)} campaign columns ({', '.join(chosen)}) of {rows_before} rows into "
        f"{parsed.rows} contacts (blank cells: not contacted)"
    )


class _Plan:
    """Builds TEMP TABLE typed_import (canonical + extra columns + _row) and the rejects."""

    def __init__(self, cur, table: str, parsed: reader.Parsed, chosen: dict[str, str], file: str):
        self.cur, self.table, self.parsed, self.chosen, self.file = cur, table, parsed, chosen, file
        self.exprs: dict[str, str] = {}
        self.checks: list[tuple[str, str, str, str]] = []  # (column shown, source sql, invalid sql, reason)
        self.derived: list[str] = []
        self.optional: set[str] = set()  # required columns stood in for: rows without a value load
        self.warnings: list[str] = []
        self.date_formats: dict[str, str] = {}
        self.extras_source: list[str] = []
        self.output_columns: list[str] = []

    def build(self) -> None:
        for canonical, source in self.chosen.items():
            self._typed(canonical, source)
        self._derive()
        self._require()
        self._extras()
        self._materialise()

    def _typed(self, canonical: str, source: str) -> None:
        col = column(self.table, canonical)
        src = quote(source)
        family = None
        if col.kind == DATE:
            family, read, total, notes = coerce.choose_date_family(self.cur, RAW, src)
            if total and family is None:
                examples = [
                    r[0]
                    for r in self.cur.execute(
                        f"SELECT DISTINCT {src} FROM {RAW} WHERE {coerce.clean_text(src)} IS NOT NULL LIMIT 3"
                    ).fetchall()
                ]
                raise InsightError(
                    f"no date can be read in column {source!r} (mapped to {canonical}); "
                    f"examples: {', '.join(map(repr, examples))}",
                    file=self.file,
                    column=source,
                    hint="map another column as the date, or export dates as YYYY-MM-DD",
                )
            if family is None:
                family = coerce.DATE_FAMILIES[0]
            self.date_formats[canonical] = family.name
            self.warnings.extend(f"{source}: {n}" for n in notes)
        value = coerce.value_expr(src, col.kind, family)
        self.exprs[canonical] = value
        reason = coerce.REASONS.get(col.kind)
        if reason:
            reason = reason.format(family=family.name if family else "")
            self.checks.append((source, src, f"{coerce.clean_text(src)} IS NOT NULL AND ({value}) IS NULL", reason))

    def _derive(self) -> None:
        e = self.exprs
        if self.table == "orders":
            if "amount" not in e and {"quantity", "unit_price"} <= e.keys():
                e["amount"] = f"round(({e['quantity']}) * ({e['unit_price']}), 2)"
                self.derived.append("amount = quantity × unit_price")
            e["status"] = self._order_status()
        stand_ins = [c for c in ("first_response_at", "resolved_at") if c in e]
        if self.table == "tickets" and "created_at" not in e and stand_ins:
            e["created_at"] = f"coalesce({', '.join(e[c] for c in stand_ins)})"
            self.optional.add("created_at")
            self.derived.append(f"created_at = first of {', '.join(stand_ins)}")
            self.warnings.append(
                "the file has no ticket creation time: created_at stands in as the first response "
                "(else resolution) time, so response and resolution durations cannot be computed; "
                "tickets with neither time load without a date"
            )

    def _order_status(self) -> str:
        e = self.exprs
        given = e.get("status")
        cases = []
        if given:
            for word, synonyms in STATUS_WORDS.items():
                pattern = "|".join(synonyms)
                cases.append(f"WHEN regexp_matches(lower({given}), '{pattern}') THEN '{word}'")
        negative = " OR ".join(f"({e[c]}) < 0" for c in ("quantity", "amount") if c in e)
        if negative:
            order_id = e.get("order_id")
            cancel = f"WHEN regexp_matches({order_id}, '^[Cc]\\d') THEN '{CANCELLED}' " if order_id else ""
            cases.append(f"WHEN {negative} THEN CASE {cancel}ELSE '{RETURNED}' END")
        default = f"lower({given})" if given else f"'{COMPLETED}'"
        if not cases:
            return f"coalesce({default}, '{COMPLETED}')"
        return f"CASE {' '.join(cases)} ELSE coalesce({default}, '{COMPLETED}') END"

    def _require(self) -> None:
        missing = [c for c in required(self.table) if c not in self.exprs]
        if missing:
            hint = {
                "amount": "map amount, or both quantity and unit_price so amount can be derived",
                "created_at": "map the column that holds when the ticket was opened",
            }
            raise InsightError(
                f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} not mapped to any column of the file",
                file=self.file,
                column=missing[0],
                hint=hint.get(missing[0], f"choose the file's column for {missing[0]}"),
            )
        for name in required(self.table):
            if name in self.optional:
                continue
            source = self.chosen.get(name, name)
            self.checks.append(
                (
                    source,
                    quote(source) if source in self.chosen.values() else "NULL",
                    f"({self.exprs[name]}) IS NULL",
                    "required value is missing",
                )
            )

    def _extras(self) -> None:
        canonical = {c.name.lower() for c in columns(self.table)}
        mapped = set(self.chosen.values())
        for source in self.parsed.columns:
            if source in mapped:
                continue
            self.extras_source.append(source)
            name = source if source.lower() not in canonical | {"_row"} else f"{source}_src"
            src = quote(source)
            numeric = self.cur.execute(
                f"SELECT count({coerce.clean_text(src)}) > 0 AND count({coerce.clean_text(src)}) "
                f"= count(TRY_CAST(trim({src}) AS DOUBLE)) FROM {RAW}"
            ).fetchone()[0]
            value = f"TRY_CAST(trim({src}) AS DOUBLE)" if numeric else coerce.clean_text(src)
            self.exprs[name] = value

    def _materialise(self) -> None:
        order = [c.name for c in columns(self.table) if c.name in self.exprs]
        order += [n for n in self.exprs if n not in order]
        self.output_columns = order
        select = ", ".join(f"{self.exprs[n]} AS {quote(n)}" for n in order)
        bad = (
            " UNION ALL ".join(
                f'SELECT _row, {coerce._lit(shown)} AS "column", CAST({src} AS VARCHAR) AS value, '
                f"{coerce._lit(reason)} AS reason FROM {RAW} WHERE {cond}"
                for shown, src, cond, reason in self.checks
            )
            or 'SELECT NULL::BIGINT AS _row, NULL AS "column", NULL AS value, NULL AS reason WHERE false'
        )
        cur = self.cur
        # One reason per row and column: a value that is there but unreadable says so, rather
        # than also being reported as missing.
        cur.execute(
            f'CREATE OR REPLACE TEMP TABLE rejects AS SELECT DISTINCT ON (_row, "column") * '
            f"FROM ({bad}) ORDER BY _row, \"column\", reason = 'required value is missing'"
        )
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT _row, {select} FROM {RAW} "
            f"WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r._row = {RAW}._row) ORDER BY _row"
        )
        self.rejected = cur.execute("SELECT count(DISTINCT _row) FROM rejects").fetchone()[0]
        self.loaded = cur.execute(f"SELECT count(*) FROM {TYPED}").fetchone()[0]
        self.rejects = cur.execute(
            f'SELECT _row AS "row", "column", value, reason FROM rejects ORDER BY _row, "column" '
            f"LIMIT {settings.MAX_REJECTS_KEPT}"
        ).df()


def _duplicate_rows(cur, source_columns: list[str]) -> int:
    cols = ", ".join(quote(c) for c in source_columns)
    return cur.execute(
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {RAW} GROUP BY {cols})"
    ).fetchone()[0]


def _match(shared: list[str]) -> str:
    return " AND ".join(f"s.{quote(c)} IS NOT DISTINCT FROM e.{quote(c)}" for c in shared) or "false"


def _existing_duplicates(cur, existing: str, shared: list[str]) -> int:
    """Rows of the new file already present in the table (multiplicity respected)."""
    if not shared:
        return 0
    cur.execute(f"CREATE OR REPLACE TEMP TABLE dup_rows AS {_dup_sql(existing, shared)}")
    return cur.execute("SELECT count(*) FROM dup_rows").fetchone()[0]


def _dup_sql(existing: str, shared: list[str]) -> str:
    cols = ", ".join(quote(c) for c in shared)
    return f"""
        WITH s AS (SELECT _row, {cols}, row_number() OVER (PARTITION BY {cols} ORDER BY _row) AS k
                   FROM {TYPED}),
             e AS (SELECT {cols}, count(*) AS n FROM {existing} GROUP BY ALL)
        SELECT s._row FROM s JOIN e ON {_match(shared)} WHERE s.k <= e.n
    """


def _drop_existing(cur) -> None:
    cur.execute(f"DELETE FROM {TYPED} WHERE _row IN (SELECT _row FROM dup_rows)")


def _first_reject(rejects: pd.DataFrame) -> str:
    if rejects.empty:
        return "no rows"
    r = rejects.iloc[0]
    return f"row {r['row']}, column {r['column']!r}, value {r['value']!r}: {r['reason']}"


def _check_table(table: str) -> None:
    if table not in TABLE_NAMES:
        raise InsightError(f"unknown table {table!r}", hint=f"import as one of: {', '.join(TABLE_NAMES)}")


def delete(ws: Workspace, table: str) -> int:
    """Delete a table (all its versions) and the derived tables built on it."""
    _check_table(table)
    version = ws.delete(table)
    facts.refresh(ws)
    return version
