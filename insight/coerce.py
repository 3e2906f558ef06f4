"""SQL expressions that turn source text into canonical types, and say when they cannot.

Dates are decided per column: every candidate format family is tried on the whole column and
the one that reads the most values wins, so `03/04/2024` means the same day in every row.
"""

from __future__ import annotations

from dataclasses import dataclass

from insight.schema import BOOL, DATE, FALSE_WORDS, ID, INTEGER, NUMBER, TEXT, TRUE_WORDS


@dataclass(frozen=True)
class DateFamily:
    name: str
    formats: tuple[str, ...]  # strptime formats; empty = DuckDB's own ISO cast or Excel serials


_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")

DATE_FAMILIES = (
    DateFamily("iso", ()),
    DateFamily("y/m/d", tuple(f"%Y/%m/%d{t}" for t in _TIMES) + tuple(f"%Y.%m.%d{t}" for t in _TIMES)),
    DateFamily("m/d/y", tuple(f"%m/%d/%Y{t}" for t in _TIMES) + tuple(f"%m/%d/%y{t}" for t in _TIMES)),
    DateFamily("d/m/y", tuple(f"%d/%m/%Y{t}" for t in _TIMES) + tuple(f"%d.%m.%Y{t}" for t in _TIMES)),
    DateFamily("d-m-y", tuple(f"%d-%m-%Y{t}" for t in _TIMES)),
    DateFamily("yyyymmdd", ("%Y%m%d",)),
    DateFamily("年月日", ("%Y年%m月%d日", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日%H时%M分")),
    DateFamily("excel serial", ()),
)

#: Excel serial day numbers accepted as dates: 1954-10-03 .. 2119-06-15.
EXCEL_SERIAL_RANGE = (20_000, 80_000)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _words(words: tuple[str, ...]) -> str:
    return "(" + ", ".join(_lit(w) for w in words) + ")"


def clean_text(src: str) -> str:
    """Trimmed text, NULL when blank. `src` is a quoted identifier."""
    return f"NULLIF(trim({src}), '')"


def date_expr(src: str, family: DateFamily) -> str:
    s = clean_text(src)
    if family.name == "iso":
        return f"TRY_CAST({s} AS TIMESTAMP)"
    if family.name == "excel serial":
        lo, hi = EXCEL_SERIAL_RANGE
        n = f"TRY_CAST({s} AS DOUBLE)"
        return (
            f"CASE WHEN {n} BETWEEN {lo} AND {hi} THEN TIMESTAMP '1899-12-30' "
            f"+ to_microseconds(CAST(round({n} * 86400000000) AS BIGINT)) END"
        )
    if family.name == "yyyymmdd":
        return f"CASE WHEN regexp_full_match({s}, '\\d{{8}}') THEN try_strptime({s}, '%Y%m%d') END"
    fmts = "[" + ", ".join(_lit(f) for f in family.formats) + "]"
    return f"try_strptime({s}, {fmts})"


def number_expr(src: str) -> str:
    """Numbers as exports write them: currency signs, thousands separators, 元, trailing %."""
    s = clean_text(src)
    stripped = f"regexp_replace({s}, '[¥￥$€£,\\s元]|RMB|CNY|USD', '', 'g')"
    return f"TRY_CAST({stripped} AS DOUBLE)"


def value_expr(src: str, kind: str, family: DateFamily | None = None) -> str:
    """The typed value of source column `src` (a quoted identifier) for a canonical `kind`."""
    s = clean_text(src)
    if kind == ID:
        # Ids written as floats by spreadsheets and pandas: 12923.0 -> 12923.
        return f"regexp_replace({s}, '^(-?\\d+)\\.0+$', '\\1')"
    if kind == TEXT:
        return s
    if kind == NUMBER:
        return number_expr(src)
    if kind == INTEGER:
        return f"CAST(round({number_expr(src)}) AS BIGINT)"
    if kind == BOOL:
        low = f"lower({s})"
        return f"CASE WHEN {low} IN {_words(TRUE_WORDS)} THEN true WHEN {low} IN {_words(FALSE_WORDS)} THEN false END"
    if kind == DATE:
        assert family is not None, "a date column needs its format family"
        return date_expr(src, family)
    raise ValueError(f"unknown column kind {kind!r}")


REASONS = {
    NUMBER: "not a number",
    INTEGER: "not a whole number",
    BOOL: "not a yes/no value (Yes/No, Y/N, True/False, 1/0, 是/否)",
    DATE: "not a date in the column's format ({family})",
}


#: Distinct values scored per candidate family before the full column is consulted.
DATE_SAMPLE = 20_000


def choose_date_family(cur, table: str, src: str) -> tuple[DateFamily | None, int, int, list[str]]:
    """The family that reads most non-blank values of `src`: (family, read, non-blank, notes).

    Every family is scored on a sample of distinct values; families tied on the sample (day/month
    order, typically) are then scored on every distinct value, so one row with day 13 decides.
    """
    s = clean_text(src)
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE date_values AS SELECT DISTINCT {s} AS v FROM {table} WHERE {s} IS NOT NULL"
    )
    total = cur.execute(f"SELECT count({s}) FROM {table}").fetchone()[0]
    if total == 0:
        return None, 0, 0, []
    v = '"v"'

    def score(families, sample: bool) -> list[int]:
        source = f"(SELECT v FROM date_values USING SAMPLE {DATE_SAMPLE} ROWS)" if sample else "date_values"
        counts = ", ".join(f"count({date_expr(v, f)})" for f in families)
        return list(cur.execute(f"SELECT {counts} FROM {source}").fetchone())

    sampled = score(DATE_FAMILIES, sample=True)
    top = max(sampled)
    if top == 0:
        return None, 0, total, []
    tied = [f for f, n in zip(DATE_FAMILIES, sampled, strict=True) if n == top]
    full = score(tied, sample=False) if len(tied) > 1 else [top]
    best_i = max(range(len(tied)), key=lambda i: (full[i], -i))
    best = tied[best_i]
    notes = []
    names = [f.name for f in tied]
    if best.name in ("m/d/y", "d/m/y") and {"m/d/y", "d/m/y"} <= set(names):
        if full[names.index("m/d/y")] == full[names.index("d/m/y")]:
            notes.append("day and month are ambiguous in every row; read as month/day/year")
    read = cur.execute(f"SELECT count({date_expr(src, best)}) FROM {table}").fetchone()[0]
    return best, read, total, notes
