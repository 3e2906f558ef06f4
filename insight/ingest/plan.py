"""Typing one import: every mapped column coerced, the ids a table can do without stood in for,
every row that cannot be read rejected with its reason, in one pass over the raw rows.

`Plan.build()` (`prepare()` then `materialise()`) leaves TEMP TABLE `typed_import` (`_row`, the
canonical and extra columns, `_ok`; for a file typed as it is read, a view of TEMP TABLE `typed_base`:
see insight/ingest/stream.py) and TEMP TABLE `rejects` (row, column, value, reason key, detail). An
orders file may instead be typed where it is published (insight/ingest/direct.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from insight import settings
from insight.db.schema import (
    BOOL,
    CANCELLED,
    COMPLETED,
    DATE,
    ID,
    INTEGER,
    NUMBER,
    RETURNED,
    STATUS_WORDS,
    column,
    columns,
    required,
)
from insight.db.workspace import quote
from insight.errors import InsightError
from insight.i18n import Message, msg
from insight.ingest import coerce, mapping, reader, stream, wide

RAW, TYPED, REJECTS = "raw_import", "typed_import", "rejects"
#: Marks contacts whose customer id was generated (the file had none): they match no customer.
GENERATED = "customer_id_generated"


#: Statuses of the first rows worked out before the typing pass (more: free text, matched per row).
_KNOWN_STATUSES = 1000
#: Extra columns typed per scan (see Plan._extras).
_EXTRAS_PER_SCAN = 50


class Plan:
    def __init__(
        self, cur, table: str, parsed: reader.Parsed, chosen: dict[str, str], file: str, campaign=None, sampled=False
    ):
        self.cur, self.table, self.parsed, self.chosen, self.file = cur, table, parsed, chosen, file
        self.campaign = campaign or Path(file).stem
        self.exprs: dict[str, str] = {}
        # (column shown, source sql, invalid condition, reason key sql, detail)
        self.checks: list[tuple[str, str, str, str, str]] = []
        self.derived: list[Message] = []
        self.choices: list[Message] = []  # how the table does without an id it lacks (one line each)
        self.optional: set[str] = set()  # required columns stood in for: rows without a value load
        self.warnings: list[Message] = []
        self.date_formats: dict[str, str] = {}
        self.decimals: dict[str, str] = {}
        self.extras_source: list[str] = []
        self.output_columns: list[str] = []
        self.cleaned: dict[str, str] = {}  # source column -> its trimmed text, computed once per row
        # The rows of the mapping's sample of the file's first rows (`sampled`: it took one), else 0.
        self.sampled = cur.execute(f"SELECT count(*) FROM {mapping.SAMPLE}").fetchone()[0] if sampled else 0

    def _clean(self, source: str) -> str:
        """The name of `source`'s trimmed text in the typing pass (every expression reads it there
        instead of trimming again: inlined, the trims would multiply with each use)."""
        return self.cleaned.setdefault(source, quote(f"__clean_{len(self.cleaned)}"))

    def with_clean(self, table: str) -> str:
        blanks = self.parsed.blanks
        cleaned = ", ".join(f"{coerce.clean_text(quote(s), blanks)} AS {alias}" for s, alias in self.cleaned.items())
        return f"(SELECT *{', ' + cleaned if cleaned else ''} FROM {table})"

    def build(self) -> None:
        self.prepare()
        self.materialise()

    def prepare(self) -> None:
        """Every column's expression and every row check decided (from samples), nothing typed yet."""
        for canonical, source in self.chosen.items():
            self._typed(canonical, source)
        self._stand_ins()
        self._require()
        self._extras()
        order = [c.name for c in columns(self.table) if c.name in self.exprs]
        self.output_columns = order + [n for n in self.exprs if n not in order]

    def typed(self) -> str:
        """The typing pass's SELECT list: the typed columns and `_ok` (the row passes every check)."""
        select = ", ".join(f"{self.exprs[n]} AS {quote(n)}" for n in self.output_columns)
        bad = " OR ".join(f"({cond})" for _, _, cond, _, _ in self.checks) or "false"
        return f"{select}, NOT ({bad}) AS _ok"

    def _typed(self, canonical: str, source: str) -> None:
        col = column(self.table, canonical)
        src = quote(source)
        family, decimal = None, coerce.POINT
        if col.kind == DATE:
            first = self._first(src, coerce.DATE_SAMPLE)
            family, seen, notes = coerce.choose_date_family(self.cur, RAW, src, first)
            if seen and family is None:
                examples = [
                    r[0]
                    for r in self.cur.execute(
                        f"SELECT DISTINCT {coerce.clean_text(src)} FROM {RAW} "
                        f"WHERE {coerce.clean_text(src)} IS NOT NULL LIMIT 3"
                    ).fetchall()
                ]
                raise InsightError(
                    msg("import.no_dates", canonical=canonical, examples=", ".join(map(repr, examples))),
                    file=self.file,
                    column=source,
                    hint=msg("import.no_dates.hint"),
                )
            family = family or coerce.DATE_FAMILIES[0]
            self.date_formats[canonical] = family.name
            self.warnings.extend(msg(n, column=source) for n in notes)
        elif col.kind in (NUMBER, INTEGER):
            first = self._first(src, coerce.NUMBER_SAMPLE)
            decimal = coerce.choose_decimal(coerce.number_sample(self.cur, first, src))
            if decimal == coerce.COMMA:
                self.decimals[canonical] = decimal
                self.warnings.append(msg("note.decimal_comma", column=source))
        clean = self._clean(source)
        value = coerce.value_expr(src, col.kind, family, decimal, clean)
        self.exprs[canonical] = value
        if col.kind in (NUMBER, INTEGER, DATE, BOOL):
            invalid = f"({value}) IS NULL AND {clean} IS NOT NULL"
            reason = coerce.reason_expr(src, col.kind, family, decimal, clean)
            self.checks.append((source, src, invalid, reason, coerce.reason_detail(col.kind, family)))

    def _first(self, src: str, n: int) -> str:
        """Where the first `n` non-blank values of source column `src` are read: the mapping's sample
        of the first rows when it holds that many (or the whole file), else the file, read again."""
        if not self.sampled:
            return RAW
        s = coerce.clean_text(src)
        have = f"SELECT count(*) FROM (SELECT 1 FROM {mapping.SAMPLE} WHERE {s} IS NOT NULL LIMIT {n})"
        if self.sampled < settings.GUESS_SAMPLE_ROWS or self.cur.execute(have).fetchone()[0] >= n:
            return mapping.SAMPLE
        return RAW

    def _stand_ins(self) -> None:
        e = self.exprs
        if self.table == "orders":
            if "amount" not in e and {"quantity", "unit_price"} <= e.keys():
                e["amount"] = f"round(({e['quantity']}) * ({e['unit_price']}), 2)"
                self.derived.append(msg("derived.amount"))
            e["status"] = self._order_status()
            if "order_id" not in e:
                self.choices.append(msg("choice.order_per_row"))
            if "customer_id" not in e:
                self.choices.append(msg("choice.guest_orders"))
        stand_ins = [c for c in ("first_response_at", "resolved_at") if c in e]
        if self.table == "tickets" and "created_at" not in e and stand_ins:
            e["created_at"] = f"coalesce({', '.join(e[c] for c in stand_ins)})"
            self.optional.add("created_at")
            self.derived.append(msg("derived.created_at", columns=", ".join(stand_ins)))
            self.warnings.append(msg("note.no_created_at"))
        if self.table == "contacts":
            if self.chosen.get("customer_id") == wide.GENERATED_ID:
                e[GENERATED] = "true"
                self.choices.append(msg("choice.generated_ids_wide", file=self.file))
            if "customer_id" not in e:
                e["customer_id"] = f"{coerce.lit(self.file + '#')} || _row"
                e[GENERATED] = "true"
                self.choices.append(msg("choice.generated_ids", file=self.file))
            if "campaign_id" not in e:
                e["campaign_id"] = coerce.lit(self.campaign)
                self.choices.append(msg("choice.one_campaign", name=self.campaign))

    def _order_status(self) -> str:
        e = self.exprs
        given = e.get("status")
        cases = []
        if given:
            cases = self._status_words(given)
        negative = " OR ".join(f"({e[c]}) < 0" for c in ("quantity", "amount") if c in e)
        if negative:
            if "order_id" in e:  # Online Retail's convention: a cancellation's invoice starts with C
                cases.append(f"WHEN ({negative}) AND regexp_matches({e['order_id']}, '^[Cc]\\d') THEN '{CANCELLED}'")
            cases.append(f"WHEN {negative} THEN '{RETURNED}'")
        default = f"coalesce(lower({given}), '{COMPLETED}')" if given else f"'{COMPLETED}'"
        return f"CASE {' '.join(cases)} ELSE {default} END" if cases else default

    def _status_words(self, given: str) -> list[str]:
        """WHEN clauses that normalise the file's cancel/return statuses. The statuses of the first rows
        (an export has a handful) are worked out here, so each row holding one is a plain lookup; a
        row holding another (or free text) is matched there."""
        source = coerce.clean_text(quote(self.chosen["status"]), self.parsed.blanks)
        rows = mapping.SAMPLE if self.sampled else RAW  # (the sample is these first rows)
        first = f"(SELECT {quote(self.chosen['status'])} FROM {rows} LIMIT {settings.GUESS_SAMPLE_ROWS})"
        values = [r[0] for r in self.cur.execute(f"SELECT DISTINCT lower({source}) FROM {first}").fetchall()]
        known = [v for v in values if v is not None] if len(values) <= _KNOWN_STATUSES else []
        status = f"lower({given})"
        cases, patterns = [], {word: "|".join(words) for word, words in STATUS_WORDS.items()}
        for word, pattern in patterns.items():
            hits = [v for v in known if re.search(pattern, v)]
            if hits:
                cases.append(f"WHEN {status} IN ({', '.join(coerce.lit(v) for v in hits)}) THEN '{word}'")
        unknown = f"{status} NOT IN ({', '.join(coerce.lit(v) for v in known)}) AND " if known else ""
        for word, pattern in patterns.items():
            cases.append(f"WHEN {unknown}regexp_matches({status}, {coerce.lit(pattern)}) THEN '{word}'")
        return cases

    def _require(self) -> None:
        missing = [c for c in required(self.table) if c not in self.exprs]
        if missing:
            raise InsightError(
                msg("import.required_missing", columns=", ".join(missing)),
                file=self.file,
                column=missing[0],
                hint=msg(f"import.required_missing.hint.{missing[0]}")
                if f"import.required_missing.hint.{missing[0]}" in _HINTS
                else msg("import.required_missing.hint", column=missing[0]),
            )
        for name in required(self.table):
            if name in self.optional:
                continue
            source = self.chosen.get(name)
            src = quote(source) if source else "NULL"
            self.checks.append((source or name, src, f"({self.exprs[name]}) IS NULL", "'reject.missing'", ""))

    def _extras(self) -> None:
        canonical = {c.name.lower() for c in columns(self.table)} | {GENERATED}
        taken = {n.lower() for n in self.exprs}
        sources = [s for s in self.parsed.columns if s not in set(self.chosen.values())]
        if not sources:
            return
        # Scans of a batch of columns each decide which extra columns are wholly numbers (finite, in
        # range); one scan of all of them makes an expression DuckDB plans in minutes for 1,000 columns.
        numeric: list[bool] = []
        for start in range(0, len(sources), _EXTRAS_PER_SCAN):
            tests = []
            for s in sources[start : start + _EXTRAS_PER_SCAN]:
                text = self._kept(s)
                number = f"TRY_CAST({text} AS DOUBLE)"
                fits = f"isfinite({number}) AND abs({number}) <= {settings.MAX_ABS_NUMBER:.0f}"
                tests.append(f"count({text}) > 0 AND count({text}) = count(CASE WHEN {fits} THEN 1 END)")
            numeric += self.cur.execute(f"SELECT {', '.join(tests)} FROM {RAW}").fetchone()
        for source, is_number in zip(sources, numeric, strict=True):
            self.extras_source.append(source)
            name = f"src{source}" if source.startswith("_") else source  # _-prefixed names are derived ones
            while name.lower() in canonical | taken:
                name = f"{name}_src"  # never shadow a canonical column
            taken.add(name.lower())
            src = self._kept(source)
            self.exprs[name] = f"TRY_CAST({src} AS DOUBLE)" if is_number else src

    def _kept(self, source: str) -> str:
        """An extra column's value: kept as it is but for spaces (a wide file has hundreds), NULL when blank."""
        return f"NULLIF(trim({quote(source)}), '')" if self.parsed.blanks else f"NULLIF({quote(source)}, '')"

    def materialise(self) -> None:
        """TEMP TABLE typed_import and the rejects (see the module's docstring)."""
        cur, rows, typed = self.cur, TYPED, self.typed()
        if self.parsed.stream and stream.typed(cur, self.parsed, TYPED, typed, self.with_clean):
            rows = stream.BASE  # (TYPED is its view)
        else:
            cur.execute(f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT _row, {typed} FROM {self.with_clean(RAW)}")
        bad_rows = cur.execute(f"SELECT count(*) FROM {TYPED} WHERE NOT _ok").fetchone()[0]
        failed = reader.EMPTY_REJECTS
        if bad_rows:  # the reasons are worked out on the rejected rows only
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE bad_raw AS SELECT * FROM {RAW} "
                f"WHERE _row IN (SELECT _row FROM {TYPED} WHERE NOT _ok)"
            )
            failed = " UNION ALL ".join(
                f'SELECT _row AS "row", {coerce.lit(shown)} AS "column", CAST({src} AS VARCHAR) AS value, '
                f"{reason} AS reason, {coerce.lit(detail)} AS detail FROM {self.with_clean('bad_raw')} WHERE {cond}"
                for shown, src, cond, reason, detail in self.checks
            )
        # One reason per row and column: a value that is there but unreadable says so, rather
        # than also being reported as missing.
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {REJECTS} AS SELECT * FROM ("
            f'SELECT DISTINCT ON ("row", "column") * FROM ({failed}) '
            f'ORDER BY "row", "column", reason = \'reject.missing\') '
            f"UNION ALL SELECT * FROM {reader.READ_REJECTS}"
        )
        if bad_rows:
            cur.execute(f"DELETE FROM {rows} WHERE NOT _ok")
        self.rejected = bad_rows + self.parsed.unreadable_rows
        self.loaded = self.parsed.rows - bad_rows

    @property
    def ids(self) -> list[str]:
        """The table's own id (`order_id` of orders …) where the file has it, typed from one source
        column: where it is unique, so are the rows."""
        own = f"{self.table.removesuffix('s')}_id"
        return [c for c in self.chosen if c == own and c in self.exprs and column(self.table, c).kind == ID]

    def rejects(self, limit: int = settings.MAX_REJECTS_KEPT) -> pd.DataFrame:
        return self.cur.execute(
            f'SELECT "row", "column", value, reason, detail FROM {REJECTS} ORDER BY "row", "column" LIMIT {limit}'
        ).df()


_HINTS = {"import.required_missing.hint.amount", "import.required_missing.hint.created_at"}


def reject_text(rejects: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Rejects with their reason written out in `lang` (the reason column holds catalog keys)."""
    from insight.i18n import t

    out = rejects.drop(columns=["detail"]).copy()
    out["reason"] = [t(r, lang, detail=d or "") for r, d in zip(rejects["reason"], rejects["detail"], strict=True)]
    return out


def first_reject(rejects: pd.DataFrame) -> Message | str:
    if rejects.empty:
        return "—"
    r = rejects.iloc[0]
    return msg(
        "import.first_reject",
        row=int(r["row"]),
        column=r["column"] or "—",
        value=_short(r["value"]),
        reason=msg(r["reason"], detail=r["detail"] or ""),
    )


def _short(value) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return re.sub(r"\s+", " ", text)[:60]
