"""The one formatting layer: figures read the same on cards, axes, tables and exports, in English
and Chinese — checked against figures worked out here by hand (division and rounding)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from insight import formatting, settings

RNG = np.random.default_rng(20)
#: Amounts over every size a card meets, both signs.
AMOUNTS = [float(v) for v in RNG.choice([-1, 1], 60) * 10 ** RNG.uniform(0, 11, 60)]


def compact_expected(v: float, lang: str) -> str:
    """Three significant digits in the language's groups: K/M/B (10³ steps) or 万/亿 (10⁴ steps)."""
    units = [(1e9, "B"), (1e6, "M"), (1e3, "K")] if lang == "en" else [(1e8, "亿"), (1e4, "万")]
    for size, unit in units:
        if abs(v) >= size:
            mantissa = abs(v) / size
            digits = max(0, 3 - (math.floor(math.log10(mantissa)) + 1))
            text = f"{round(mantissa, digits):.{digits}f}".rstrip("0").rstrip(".") if digits else f"{round(mantissa)}"
            return ("-" if v < 0 else "") + text + unit
    return None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compact_counts_have_three_significant_digits_in_each_language(lang):
    checked = 0
    for v in AMOUNTS:
        want = compact_expected(v, lang)
        if want is None or abs(v) >= 1e12:
            continue
        mantissa = abs(v) / 10 ** (math.floor(math.log10(abs(v))))
        if abs(mantissa * 1000 % 10 - 5) < 1e-6:  # a tie: rounding conventions may differ
            continue
        got = formatting.value(v, "int", lang)
        if want.lstrip("-").startswith(("1000", "10000")):  # rounded up into the next unit
            continue
        assert got == want, (v, got, want)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("lang, sign", [("en", "CN¥"), ("zh", "¥")])
def test_money_carries_its_currency_everywhere(lang, sign, monkeypatch):
    assert settings.CURRENCY == "CNY"
    assert formatting.value(20_281_172.2, "money", lang) == sign + compact_expected(20_281_172.2, lang)
    # a table shows the amount in full, cents only where they matter
    assert formatting.value(312_655.763, "money", lang, compact=False) == f"{sign}312,656"
    assert formatting.value(12.5, "money", lang, compact=False) == f"{sign}12.50"
    monkeypatch.setattr(settings, "CURRENCY", "GBP")
    assert formatting.value(12.5, "money", lang, compact=False) == "£12.50"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_counts_are_whole_and_rates_are_percentages_and_changes_points(lang):
    assert formatting.value(149.0, "int", lang) == "149"
    assert formatting.value(0.2, "pct", lang) == "20.0%"
    assert formatting.value(14.276, "pct", lang) == "1,428%"  # ROI past 100 %: whole percentages
    unit = "pts" if lang == "en" else "个百分点"
    assert formatting.change(0.041, None, "pct", lang) == f"+4.1 {unit}"
    assert formatting.change(-45.941, None, "pct", lang) == f"-4,594 {unit}"
    assert formatting.change(-12, -0.1, "int", lang) == "-12 (-10.0%)"
    assert formatting.value(None, "pct", lang) == formatting.value(float("nan"), "money", lang) == "—"


@pytest.mark.parametrize(
    "hours, en, zh",
    [
        (17_423, "726 days", "726天"),
        (10.4, "10 hours", "10小时"),
        (5.5, "5.5 hours", "5.5小时"),
        (0.4, "24 minutes", "24分钟"),
        (60, "2.5 days", "2.5天"),
    ],
)
def test_durations_read_as_a_person_says_them(hours, en, zh):
    assert formatting.duration(hours, "en") == en
    assert formatting.duration(hours, "zh") == zh


def test_dates_never_show_midnight_and_months_are_in_the_language():
    assert formatting.when(pd.Timestamp("2026-03-01 00:00:00")) == "2026-03-01"
    assert formatting.when(dt.datetime(2026, 3, 1, 14, 5), fmt="datetime") == "2026-03-01 14:05"
    assert formatting.when(dt.date(2026, 3, 1), "en", "month") == "Mar 2026"
    assert formatting.when(dt.date(2026, 3, 1), "zh", "month") == "2026年3月"


def test_a_table_shows_titles_and_labels_never_codes_none_or_nan():
    frame = pd.DataFrame(
        {
            "customer_id": ["C1", None],
            "level": ["urgent", "low"],
            "status": ["open", "closed"],
            "age_hours": [17_423.0, 5.5],
            "customers": [149.0, float("nan")],
            "churn_rate": [0.2, 0.05],
            "revenue": [20_281_172.2, 10.0],
            "first_order": pd.to_datetime(["2026-01-01", "2026-02-01"]),
            "is_complaint": [True, False],
        }
    )
    shown = formatting.table(frame, "zh")
    cells = shown.frame.to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "urgent", "open", "True", "False"} & set(cells)
    assert shown.frame["level"].tolist() == ["紧急", "低"]
    assert shown.frame["age_hours"].tolist() == ["726天", "5.5小时"]
    assert shown.frame["customers"].tolist() == ["149", "—"]
    assert shown.frame["churn_rate"].tolist() == ["20.0%", "5.0%"]
    assert shown.frame["revenue"].tolist() == ["¥20,281,172", "¥10.00"]
    assert shown.frame["first_order"].tolist() == ["2026-01-01", "2026-02-01"]
    assert shown.frame["is_complaint"].tolist() == ["是", "否"]
    assert all(title != column for column, title in shown.titles.items()), shown.titles
    assert {"age_hours", "customers", "churn_rate", "revenue"} <= shown.figures


def test_nice_steps_are_round_and_cover_the_range():
    for top in [float(v) for v in 10 ** RNG.uniform(-3, 9, 200)]:
        step = formatting.nice_step(top, 5)
        mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
        assert round(mantissa, 6) in (1, 2, 5, 10), (top, step)
        assert 5 * step >= top and step < top, (top, step)


@pytest.mark.parametrize("lang, name", [("en", "en"), ("zh", "zh_CN")])
def test_the_fast_table_path_writes_what_babels_patterns_write(lang, name):
    """Table cells are formatted by Python with the locale's separators (a table formats every
    cell): over values of every size and sign, the text equals Babel's own patterns."""
    from babel import numbers

    values = [float(v) for v in RNG.choice([-1, 1], 500) * 10 ** RNG.uniform(-3, 9, 500)]
    for v in values:
        assert formatting.decimal(v, lang, 2) == numbers.format_decimal(v, format="#,##0.00", locale=name)
        assert formatting.count(v, lang) == numbers.format_decimal(round(v), format="#,##0", locale=name)
        share = v / 1e6
        pattern = "#,##0.0%" if abs(share) < 1 else "#,##0%"
        assert formatting.percent(share, lang) == numbers.format_percent(share, format=pattern, locale=name)
        pattern = "¤#,##0.00" if abs(v) < 100 else "¤#,##0"
        want = numbers.format_currency(v, "CNY", format=pattern, locale=name, currency_digits=False)
        assert formatting.value(v, "money", lang, compact=False) == want
