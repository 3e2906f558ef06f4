"""Numbers, money, percentages, durations and dates as people read them, in English and 简体中文.

The one formatting layer (Babel's CLDR data): KPI cards, chart axes and hover labels, tables,
reports and exports all format through here, so a figure reads the same everywhere — 1.2M and
120万 alike on a card and on an axis, shares as percentages, changes of rates in points, ages in
days or hours, dates without a time of midnight and months in the reader's language.

Formats (a metric's `fmt`, a column's kind): `money`, `int` (counts), `num` (a score such as
CSAT), `pct` (shares and rates), `pts` (a difference of rates, in points), `per1000`, `days`,
`hours`, `date`, `month`, `datetime`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import pandas as pd
from babel import Locale, numbers, units
from babel import dates as bdates

from insight import i18n, settings

#: Our language codes onto Babel locales.
LOCALES = {"en": "en", "zh": "zh_CN"}
MISSING = "—"
#: Whole percentages once a rate passes 100 % (ROI 1,428 %, not 1427.6 %).
_PCT_DIGITS_BELOW = 1.0


def locale(lang: str) -> Locale:
    """The Babel locale of `lang`, parsed once (parsing a locale name per call would cost a
    millisecond per table cell)."""
    return _PARSED.get(lang) or _PARSED["en"]


_PARSED = {lang: Locale.parse(name) for lang, name in LOCALES.items()}


def missing(v) -> bool:
    if v is None or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def value(v, fmt: str | None, lang: str = "en", *, compact: bool = True) -> str:
    """`v` in format `fmt`; `compact` (cards, axes) writes large figures as 1.2M / 120万."""
    if missing(v):
        return MISSING
    if fmt in ("date", "month", "datetime"):
        return when(v, lang, fmt)
    v = float(v)
    if fmt == "pct":
        return percent(v, lang)
    if fmt == "pts":  # a difference of two rates (short on a card: +5.0pct in Chinese)
        return points(v, lang, short=compact)
    if fmt == "money":
        return money(v, lang, compact=compact)
    if fmt == "num":
        return decimal(v, lang, 2)
    if fmt == "per1000":
        return decimal(v, lang, 1)
    if fmt == "days":
        return duration(v * 24, lang)
    if fmt == "hours":
        return duration(v, lang)
    return count(v, lang, compact=compact)


def count(v: float, lang: str = "en", *, compact: bool = False) -> str:
    """A count as a whole number: 1,234 (compact, three significant digits: 1.23K / 1234,
    29.7K / 2.97万)."""
    if compact and abs(v) >= _compact_from(lang):
        return numbers.format_compact_decimal(v, locale=locale(lang), fraction_digits=_digits(v, lang))
    return _plain(round(v), 0, lang)


def _compact_from(lang: str) -> float:
    """Where compact forms start: thousands in English (K), ten thousands in Chinese (万)."""
    return 1e4 if lang == "zh" else 1e3


def _digits(v: float, lang: str) -> int:
    """Decimals that give a compact figure three significant digits (38.1M, 2.97万, 120万)."""
    group = 4 if lang == "zh" else 3
    exponent = math.floor(math.log10(abs(v)))
    mantissa_digits = exponent % group + 1  # digits before the decimal point of the compact figure
    return max(0, 3 - mantissa_digits)


def decimal(v: float, lang: str = "en", digits: int = 1) -> str:
    return _plain(v, digits, lang)


def _plain(v: float, digits: int, lang: str) -> str:
    """`v` grouped, with `digits` decimals, in the locale's separators: what Babel's `#,##0.00`
    pattern gives for our two locales, by Python's own formatting (about twenty times faster, and
    a table formats every cell)."""
    text = f"{v:,.{digits}f}"
    group, point = _separators(lang)
    return text if (group, point) == (",", ".") else text.translate(str.maketrans({",": group, ".": point}))


@functools.cache
def _separators(lang: str) -> tuple[str, str]:
    symbols = locale(lang).number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


def money(v: float, lang: str = "en", *, compact: bool = True, currency: str | None = None) -> str:
    """An amount with its currency: CN¥20.3M / ¥2028.1万 (compact), CN¥312,656 in a table
    (cents only below 100, where they matter)."""
    code = currency or settings.CURRENCY
    if compact and abs(v) >= _compact_from(lang):
        digits = _digits(v, lang)
        return numbers.format_compact_currency(v, code, locale=locale(lang), fraction_digits=digits)
    sign = "-" if v < 0 else ""  # the locales' pattern: ¤#,##0.00, the minus before the sign
    return sign + numbers.get_currency_symbol(code, locale(lang)) + _plain(abs(v), 2 if abs(v) < 100 else 0, lang)


def percent(v: float, lang: str = "en") -> str:
    """A share or rate: 23.4% (whole percentages from 100 % on)."""
    return percent_ticks(v, lang, 1 if abs(v) < _PCT_DIGITS_BELOW else 0)


def percent_ticks(v: float, lang: str = "en", digits: int = 0) -> str:
    """A percentage on an axis tick: as many decimals as the step needs (20%, 2.5%)."""
    return _plain(v * 100, digits, lang) + locale(lang).number_symbols["latn"]["percentSign"]


def points(diff: float, lang: str = "en", *, short: bool = False) -> str:
    """A change of a rate in percentage points, signed: +4.1 pts / +4.1 个百分点 (`short`, for a
    card's value: +4.1pct, as Chinese dashboards write it)."""
    from insight.i18n import t

    pts = diff * 100
    shown = decimal(abs(pts), lang, 1 if abs(pts) < 100 else 0)
    return t("fmt.points.short" if short else "fmt.points", lang, value=("+" if pts >= 0 else "-") + shown)


def duration(hours: float, lang: str = "en") -> str:
    """An age or a wait as a person says it: 45 minutes, 10 hours, 3.5 days, 726 days."""
    loc = locale(lang)
    length = "long" if lang == "en" else "short"  # CLDR's long Chinese day unit is missing
    a = abs(hours)
    if a < 1:
        return units.format_unit(round(hours * 60), "duration-minute", length=length, locale=loc)
    if a < 48:
        return units.format_unit(_round(hours), "duration-hour", length=length, locale=loc)
    return units.format_unit(_round(hours / 24), "duration-day", length=length, locale=loc)


def _round(v: float) -> float | int:
    return round(v, 1) if abs(v) < 10 and round(v, 1) != round(v) else round(v)


def when(v, lang: str = "en", fmt: str = "date") -> str:
    """A date (2026-03-01), a month (Mar 2026 / 2026年3月) or a time (2026-03-01 14:05), never
    with a midnight time of day."""
    if missing(v):
        return MISSING
    stamp = pd.Timestamp(v)
    if fmt == "month":
        return bdates.format_skeleton("yMMM", stamp.date(), locale=locale(lang))
    if fmt == "datetime" and (stamp.hour or stamp.minute):
        return stamp.strftime("%Y-%m-%d %H:%M")
    return stamp.strftime("%Y-%m-%d")


def change(diff: float | None, pct: float | None, fmt: str, lang: str = "en") -> str | None:
    """A KPI's change against the comparison: +CN¥1.2M (+3.4%); a rate's change in points.
    The sign is ASCII first: Streamlit reads it for the arrow."""
    if diff is None or missing(diff):
        return None
    if fmt in ("pct", "pts"):
        return points(diff, lang)
    text = ("+" if diff >= 0 else "-") + value(abs(diff), fmt, lang)
    if pct is not None and not missing(pct):
        text += f" ({relative(pct, lang)})"
    return text


def relative(pct: float, lang: str = "en") -> str:
    """A relative change, signed: +3.4%."""
    return ("+" if pct >= 0 else "-") + percent(abs(pct), lang)


def column_kind(column: str, series: pd.Series) -> str | None:
    """The format of a table column from its name and type: shares and rates as %, money with
    its currency, ages in days or hours, counts as integers, dates as dates (None: text)."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date" if _midnight(series) else "datetime"
    if column.endswith(("_share", "_rate", "retention", "share_of_change")) or column in PCT_COLUMNS:
        return "pct" if pd.api.types.is_numeric_dtype(series) else None
    if not pd.api.types.is_numeric_dtype(series):
        return "date" if len(series.dropna()) and all(isinstance(v, dt.date) for v in series.dropna()) else None
    if column in MONEY_COLUMNS or column.endswith(("_revenue", "_amount", "_spend", "_loss")):
        return "money"
    if column.endswith("_days") or column in ("days", "gap_days"):
        return "days"
    if column.endswith(("_hours", "_h")) or column == "hours":
        return "hours"
    if column in ("current", "previous", "change"):
        return "num" if pd.api.types.is_float_dtype(series) and (series.abs() < 100).all() else "money"
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        return "int" if len(whole) and (whole == whole.round()).all() else "num"
    return "int"


#: Columns of amounts and of rates whose names do not say so.
MONEY_COLUMNS = frozenset(
    {"revenue", "monetary", "equity", "avg_clv", "clv", "amount", "spend", "attributed_revenue", "value", "aov"}
    | {"unit_price", "monthly_charges", "cost_per_conversion"}
)
PCT_COLUMNS = frozenset({"share", "low", "high", "roi", "uplift", "risk", "margin", "discount", "probability"})


def _midnight(series: pd.Series) -> bool:
    stamps = pd.to_datetime(series.dropna())
    return bool(len(stamps) == 0 or (stamps == stamps.dt.normalize()).all())


def cell(v, kind: str | None, lang: str = "en") -> str:
    """One table cell as shown: its column's format, in full (no compact forms in a table)."""
    if missing(v):
        return MISSING
    if kind is None:
        return str(v)
    return value(v, kind, lang, compact=False)


@dataclass(frozen=True)
class Shown:
    """A table as a reader sees it: every cell as text in its column's format, coded values
    translated, missing values as a dash; the titles in the reader's language; which columns
    are figures (right-aligned)."""

    frame: pd.DataFrame
    titles: dict[str, str]
    figures: frozenset[str]


def table(frame: pd.DataFrame, lang: str = "en", prefix: str | None = None, kinds: dict | None = None) -> Shown:
    """`frame` formatted for display (pages, reports): titles from the catalog (`prefix.column`,
    `col.column` …), cells by `column_kind` (or `kinds`), never `None`, `nan` or index numbers."""
    kinds = {c: (kinds or {}).get(c, column_kind(str(c), frame[c])) for c in frame.columns}
    out = {}
    for c in frame.columns:
        kind = kinds[c]
        if kind is None:
            out[c] = [_text_cell(str(c), v, lang) for v in frame[c]]
        else:
            out[c] = [cell(v, kind, lang) for v in frame[c]]
    titles = {c: i18n.column_label(str(c), lang, prefix) for c in frame.columns}
    figures = frozenset(c for c, k in kinds.items() if k not in (None, "date", "month", "datetime"))
    return Shown(pd.DataFrame(out, columns=list(frame.columns), index=range(len(frame))), titles, figures)


def _text_cell(column: str, v, lang: str) -> str:
    if missing(v):
        return MISSING
    label = i18n.value_label(column, v, lang)
    return label if label is not None else str(v)


def grain_for_days(days: int) -> str:
    """The time bucket that fits a span of `days`: hours for a day or two, days up to two months,
    weeks up to half a year, months beyond."""
    return "hour" if days <= 2 else "day" if days <= 62 else "week" if days <= 183 else "month"


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 × 10ⁿ, so compact labels stay exact) that covers 0…`top` in
    at most `ticks` steps."""
    if top <= 0 or not math.isfinite(top):
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
