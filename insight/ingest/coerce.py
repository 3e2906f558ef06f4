"""SQL expressions that turn source text into canonical types, and say when they cannot.

Formats are decided per column from the data, never per row: the date family that reads the
most values wins, so `03/04/2024` means the same day in every row; a column whose numbers are
written `1.234,56` reads every number with a decimal comma. Values that cannot be read, that are
not finite, too large, or dated outside the plausible window are rejected with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from insight import settings
from insight.db.schema import BOOL, DATE, FALSE_WORDS, ID, INTEGER, NUMBER, TEXT, TRUE_WORDS


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

#: Decimal separators: "." (1,234.56) or "," (1.234,56), decided per column.
POINT, COMMA = "point", "comma"

_CURRENCY = "[¥￥$€£\\s\\x{00A0}\\x{202F}']|RMB|CNY|USD|EUR|HKD|GBP|元|円"
_COMMA_ONLY = re.compile(r"^[-+(]?\d{1,3}(\.\d{3})+,\d+\)?$|^[-+(]?\d+,(\d{1,2}|\d{4,})\)?$|^[-+(]?\d{4,},\d+\)?$")
_POINT_ONLY = re.compile(r"^[-+(]?\d{1,3}(,\d{3})+\.\d+\)?$|^[-+(]?\d+\.(\d{1,2}|\d{4,})\)?$|^[-+(]?\d{4,}\.\d+\)?$")
_DOTS_AS_THOUSANDS = re.compile(r"^[-+(]?\d{1,3}(\.\d{3}){2,}\)?$")
_COMMAS_AS_THOUSANDS = re.compile(r"^[-+(]?\d{1,3}(,\d{3}){2,}\)?$")


def lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _words(words: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(w) for w in words) + ")"


#: Whitespace trimmed from both ends of a value: spaces, tabs, line ends, no-break and ideographic spaces.
_BLANKS = " \t\r\n\u00a0\u3000"


#: Their code points, to look at a value's first and last character without trimming it.
_BLANK_CODES = "(32, 9, 10, 13, 160, 12288)"


def clean_text(src: str, blanks: bool = True) -> str:
    """Trimmed text, NULL when blank. `src` is a quoted identifier. (Most values need no trimming:
    a look at their first and last character is much cheaper than a trim; cheaper still is none,
    when the reader found that no value of the file starts or ends with a blank: `blanks=False`.)"""
    if not blanks:
        return f"NULLIF({src}, '')"
    edges = f"ascii({src}) NOT IN {_BLANK_CODES} AND ascii(right({src}, 1)) NOT IN {_BLANK_CODES} AND {src} <> ''"
    return f"CASE WHEN {edges} THEN {src} ELSE NULLIF(trim({src}, '{_BLANKS}'), '') END"


def date_expr(src: str, family: DateFamily, clean: str | None = None) -> str:
    """The timestamp `src` holds in `family`, NULL when it holds none (no window applied).
    `clean` names `src` already trimmed (a column computed once), else it is trimmed here."""
    s = clean or clean_text(src)
    if family.name == "iso":  # (CASE, not coalesce: DuckDB evaluates every argument of a coalesce)
        raw = f"TRY_CAST({src} AS TIMESTAMP)"
        return f"CASE WHEN {raw} IS NOT NULL THEN {raw} ELSE TRY_CAST({s} AS TIMESTAMP) END"
    if family.name == "excel serial":
        lo, hi = EXCEL_SERIAL_RANGE
        n = f"TRY_CAST({s} AS DOUBLE)"
        return (
            f"CASE WHEN {n} BETWEEN {lo} AND {hi} THEN TIMESTAMP '1899-12-30' "
            f"+ to_microseconds(CAST(round({n} * 86400000000) AS BIGINT)) END"
        )
    if family.name == "yyyymmdd":
        return f"CASE WHEN regexp_full_match({s}, '\\d{{8}}') THEN try_strptime({s}, '%Y%m%d') END"
    fmts = "[" + ", ".join(lit(f) for f in family.formats) + "]"
    return f"try_strptime({s}, {fmts})"


def in_window(value: str) -> str:
    """`value` (a timestamp expression) when its year is inside settings.DATE_YEARS, else NULL."""
    lo, hi = settings.DATE_YEARS
    return f"CASE WHEN {value} >= TIMESTAMP '{lo}-01-01' AND {value} < TIMESTAMP '{hi + 1}-01-01' THEN {value} END"


def parsed_number(src: str, decimal: str = POINT, clean: str | None = None) -> str:
    """The number `src` holds as exports write it: currency signs and codes, thousands separators,
    a decimal comma (`decimal=COMMA`), accounting negatives `(12.50)`, 万/亿 multipliers. May be NaN
    or infinite; `number_expr` bounds it."""
    s = clean or clean_text(src)
    c = f"regexp_replace({s}, {lit(_CURRENCY)}, '', 'g')"
    if decimal == COMMA:
        digits = f"replace(regexp_replace({c}, '[.()万亿]', '', 'g'), ',', '.')"
    else:
        digits = f"regexp_replace({c}, '[,()万亿]', '', 'g')"
    scale = (
        f"(CASE WHEN contains({c}, '亿') THEN 1e8 WHEN contains({c}, '万') THEN 1e4 ELSE 1 END"
        f" * CASE WHEN regexp_full_match({c}, '\\(.*\\)') THEN -1 ELSE 1 END)"
    )
    slow = f"TRY_CAST({digits} AS DOUBLE) * {scale}"
    if decimal == COMMA:
        return slow
    # Plain numbers take the fast path; the rest the slow one (a CASE runs only the branch a row needs).
    return f"CASE WHEN TRY_CAST({src} AS DOUBLE) IS NOT NULL THEN TRY_CAST({src} AS DOUBLE) ELSE {slow} END"


def number_expr(src: str, decimal: str = POINT, clean: str | None = None) -> str:
    """The number, NULL when unreadable, not finite or beyond settings.MAX_ABS_NUMBER."""
    n = parsed_number(src, decimal, clean)
    return f"CASE WHEN isfinite({n}) AND abs({n}) <= {settings.MAX_ABS_NUMBER:.0f} THEN {n} END"


def value_expr(
    src: str, kind: str, family: DateFamily | None = None, decimal: str = POINT, clean: str | None = None
) -> str:
    """The typed value of source column `src` (a quoted identifier) for a canonical `kind`."""
    s = clean or clean_text(src)
    if kind == ID:
        # Ids written as floats by spreadsheets and pandas: 12923.0 -> 12923. (Only a value with a point
        # and a final 0 can be one: a LIKE spares the others the regex.)
        return f"CASE WHEN {s} LIKE '%.%0' THEN regexp_replace({s}, '^(-?\\d+)\\.0+$', '\\1') ELSE {s} END"
    if kind == TEXT:
        return s
    if kind == NUMBER:
        return number_expr(src, decimal, clean)
    if kind == INTEGER:
        return f"TRY_CAST(round({number_expr(src, decimal, clean)}) AS BIGINT)"
    if kind == BOOL:
        low = f"lower({s})"
        return f"CASE WHEN {low} IN {_words(TRUE_WORDS)} THEN true WHEN {low} IN {_words(FALSE_WORDS)} THEN false END"
    if kind == DATE:
        assert family is not None, "a date column needs its format family"
        return in_window(date_expr(src, family, clean))
    raise ValueError(f"unknown column kind {kind!r}")


def reason_expr(
    src: str, kind: str, family: DateFamily | None = None, decimal: str = POINT, clean: str | None = None
) -> str:
    """The catalog key of why a non-blank `src` gives no value (used on rejected rows only)."""
    if kind in (NUMBER, INTEGER):
        n = parsed_number(src, decimal, clean)
        return (
            f"CASE WHEN {n} IS NULL THEN 'reject.number' WHEN NOT isfinite({n}) THEN 'reject.not_finite' "
            "ELSE 'reject.too_large' END"
        )
    if kind == DATE:
        return f"CASE WHEN {date_expr(src, family, clean)} IS NULL THEN 'reject.date' ELSE 'reject.date_window' END"
    if kind == BOOL:
        return "'reject.bool'"
    return "'reject.unreadable'"


def reason_detail(kind: str, family: DateFamily | None = None) -> str:
    if kind == DATE:
        lo, hi = settings.DATE_YEARS
        return f"{family.name}; {lo}–{hi}" if family else ""
    if kind in (NUMBER, INTEGER):
        return f"{settings.MAX_ABS_NUMBER:,.0f}"
    return ""


#: Values scored per candidate family before the full column is consulted (on a tie).
DATE_SAMPLE = 2_000


def choose_date_family(cur, table: str, src: str, first: str | None = None) -> tuple[DateFamily | None, int, list[str]]:
    """The family that reads most non-blank values of `src`: (family, non-blank count, notes).

    Every family is scored on the first non-blank values (read from `first`, a table of the first
    rows holding them, else `table`); families tied on the sample (day/month order, typically) are
    then scored on every distinct value of `table`, so one row with day 13 decides.
    """
    s = clean_text(src)
    sample = f"(SELECT {s} AS v FROM {first or table} WHERE {s} IS NOT NULL LIMIT {DATE_SAMPLE})"
    v = '"v"'
    # ISO, the first family, wins every tie; no other family reads a value that starts `YYYY-`. So
    # when ISO reads every sampled value and each starts so, no other family is scored.
    iso = f"count({date_expr(v, DATE_FAMILIES[0])}), count(*) FILTER (WHERE regexp_matches(v, '^\\d{{4}}-'))"
    seen, iso, dashed = cur.execute(f"SELECT count(*), {iso} FROM {sample}").fetchone()
    if seen == 0:
        return None, 0, []
    if iso == dashed == seen:
        return DATE_FAMILIES[0], seen, []
    counts = ", ".join(f"count({date_expr(v, f)})" for f in DATE_FAMILIES[1:])
    sampled = [iso, *cur.execute(f"SELECT {counts} FROM {sample}").fetchone()]
    top = max(sampled)
    if top == 0:
        return None, seen, []
    tied = [f for f, n in zip(DATE_FAMILIES, sampled, strict=True) if n == top]
    full = [top]
    if len(tied) > 1:
        every = f"(SELECT DISTINCT {s} AS v FROM {table} WHERE {s} IS NOT NULL)"
        full = list(
            cur.execute(f"SELECT {', '.join(f'count({date_expr(v, f)})' for f in tied)} FROM {every}").fetchone()
        )
    best_i = max(range(len(tied)), key=lambda i: (full[i], -i))
    best = tied[best_i]
    notes = []
    names = [f.name for f in tied]
    if best.name in ("m/d/y", "d/m/y") and {"m/d/y", "d/m/y"} <= set(names):
        if full[names.index("m/d/y")] == full[names.index("d/m/y")]:
            notes.append("note.day_month_ambiguous")
    return best, seen, notes


def choose_decimal(values: list[str]) -> str:
    """COMMA when the column's numbers are written with a decimal comma (1.234,56 or 12,5), else
    POINT. Decided per column: values that can only be read one way are counted for each side."""
    comma = point = 0
    for value in values:
        v = re.sub(_CURRENCY.replace("\\x{00A0}", "\u00a0").replace("\\x{202F}", "\u202f"), "", value.strip())
        if _COMMA_ONLY.match(v) or _DOTS_AS_THOUSANDS.match(v):
            comma += 1
        elif _POINT_ONLY.match(v) or _COMMAS_AS_THOUSANDS.match(v):
            point += 1
    return COMMA if comma > point else POINT


#: Values looked at to decide how a column's numbers are written.
NUMBER_SAMPLE = 5_000


def number_sample(cur, table: str, src: str) -> list[str]:
    """The first non-blank values of `src`: they show how its numbers are written. None when not
    one of them could be read with a decimal comma (no comma, fewer than two dots): `choose_decimal`
    then says POINT without looking at each value in Python."""
    s = clean_text(src)
    sample = f"(SELECT {s} AS v FROM {table} WHERE {s} IS NOT NULL LIMIT {NUMBER_SAMPLE})"
    comma = "contains(v, ',') OR v LIKE '%.%.%'"
    if not cur.execute(f"SELECT count(*) FILTER (WHERE {comma}) FROM {sample}").fetchone()[0]:
        return []
    return [r[0] for r in cur.execute(f"SELECT v FROM {sample}").fetchall()]
