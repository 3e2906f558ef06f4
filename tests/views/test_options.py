"""The URL options schema (insight/views/options.py): every option of every page parsed once,
each invalid value a note naming it, and a parsed state that round-trips through its link."""

from __future__ import annotations

import itertools

import pytest

from insight import settings
from insight.views import options as schema

ODD = ["²", "①", "٣", "-1", "0", "1e3", "abc", " ", "9" * 30, "true;false", "[x](https://evil.example)"]


def cases():
    """Every declared option of every page with odd values, and a valid value of it."""
    for page, declared in itertools.chain([("", schema.GLOBAL)], schema.PAGES.items()):
        for option in declared:
            yield page or "overview", option


@pytest.mark.parametrize("page, option", list(cases()), ids=lambda x: getattr(x, "name", x))
def test_odd_values_are_ignored_with_a_note_naming_the_option(page, option):
    for raw in ODD:
        filters, notes = schema.parse(page, {option.name: raw})
        value = filters.option(option.name)
        if option.kind in ("text", "values") and option.check is None:
            assert value == raw.strip() or (not raw.strip() and value is None)  # free text, checked by the data
            continue
        if value is None and raw.strip() and raw.strip() != option.default:
            assert len(notes) == 1 and option.name in str(notes[0]) and raw.strip() in str(notes[0]), (raw, notes)
        else:
            assert not notes


@pytest.mark.parametrize("page", list(schema.PAGES))
def test_a_parsed_state_round_trips_through_its_link(page):
    valid = {}
    for option in schema.PAGES[page]:
        if option.kind == "choice":
            valid[option.name] = option.choices[-1]
        elif option.kind == "int":
            valid[option.name] = str(option.high)
        elif option.kind == "flag":
            valid[option.name] = "true"
        else:
            valid[option.name] = "x"
    query = "&".join(f"{k}={v}" for k, v in valid.items()) + "&region=East&undeclared=1&tiers=1,2"
    filters, notes = schema.parse(page, query)
    assert [str(n) for n in notes] and all("tiers" in str(n) for n in notes)  # only the bad global one
    assert filters.option("undeclared") is None and "undeclared" not in filters.to_query()
    again, more = schema.parse(page, filters.to_query())
    assert again == filters and not more
    typed = schema.read(page, again)
    for option in schema.PAGES[page]:
        want = option.value(valid[option.name]) if option.kind != "values" else [valid[option.name]]
        assert typed[option.name] == want


def test_defaults_are_left_out_of_the_link():
    filters, notes = schema.parse("campaigns", f"win={settings.ATTRIBUTION_DAYS}&attr=segment&days=090")
    assert not notes and filters.extra == () and filters.to_query() == ""
    assert schema.read("campaigns", filters)["win"] == settings.ATTRIBUTION_DAYS


@pytest.mark.parametrize(
    "page, k, kept",
    [
        ("complaints", 20, True),
        ("complaints", 25, False),  # the core accepted 2-30 and the page 2-20: names went to another clustering
        ("complaints", 1, False),
        ("segments", 8, True),
        ("segments", 9, False),
    ],
)
def test_one_range_for_k(page, k, kept):
    filters, notes = schema.parse(page, f"k={k}")
    assert (filters.option("k") == str(k)) is kept and bool(notes) is not kept
