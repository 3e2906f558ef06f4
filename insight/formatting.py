"""Numbers as people read them, in either language."""

from __future__ import annotations


def value(v: float | None, fmt: str, lang: str = "en") -> str:
    if v is None or v != v:  # None or NaN
        return "—"
    if fmt == "pct":
        return f"{v * 100:.1f}%"
    if fmt == "money":
        return compact(v, lang, decimals=2 if abs(v) < 1000 else 1)
    if fmt == "num":
        return f"{v:.2f}"
    if fmt == "per1000":
        return f"{v:,.1f}"
    return compact(v, lang, decimals=0 if abs(v) < 1000 else 1)


def change(diff: float | None, pct: float | None, fmt: str, lang: str = "en") -> str | None:
    if diff is None:
        return None
    if fmt == "pct":
        text = f"{diff * 100:+.1f} pts"
    else:
        sign = "+" if diff >= 0 else "-"  # ASCII: Streamlit reads the sign for the arrow
        text = sign + value(abs(diff), fmt, lang)
    if pct is not None and fmt != "pct":
        text += f" ({pct * 100:+.1f}%)"
    return text


def compact(v: float, lang: str = "en", decimals: int = 1) -> str:
    """1.2M / 120万 style, so KPI cards stay one line."""
    a = abs(v)
    if lang == "zh":
        for size, unit in ((1e8, "亿"), (1e4, "万")):
            if a >= size:
                return f"{v / size:,.{decimals}f}{unit}"
    else:
        for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if a >= size:
                return f"{v / size:,.{decimals}f}{unit}"
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.{decimals}f}"


def grain_for_days(days: int) -> str:
    """The time bucket that fits a span of `days`: hours for a day or two, days up to two months,
    weeks up to half a year, months beyond."""
    return "hour" if days <= 2 else "day" if days <= 62 else "week" if days <= 183 else "month"
