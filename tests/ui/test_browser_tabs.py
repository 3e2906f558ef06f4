"""Real browser: a filter picked in one tab stays in that tab. A new tab of the same browser (same
cookies, same sign-in) opened at a page's bare URL shows the default view: no filter in its URL,
in its filter bar or among its active filters, whatever the other tab picked and while that tab
is still open (a bare link must open the default view; a filtered link, exactly its filters)."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import choose, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: The filter bar's data-valued filters: their label and the demo's table and column.
FILTERS = {"region": ("Region", "orders"), "channel": ("Channel", "orders"), "segment": ("Segment", "customers")}
PAGES = ("overview", "channels", "churn", "complaints", "segments")


def _picks(demo_raw, n: int = 4) -> list[tuple[str, str, str, str]]:
    """`n` generated (first page, filter, value, second page): each filter at least once, values
    and pages drawn from the demo's data."""
    rng = random.Random(19)
    keys = [*FILTERS, *rng.choices(list(FILTERS), k=n - len(FILTERS))]
    picks = []
    for key in keys:
        table = FILTERS[key][1]
        value = rng.choice(sorted(demo_raw[table][key].dropna().astype(str).unique()))
        picks.append((rng.choice(PAGES), key, value, rng.choice(PAGES)))
    return picks


def _shown(page, label: str) -> list[str]:
    """The values the filter bar's multiselect `label` shows picked."""
    field = page.get_by_role("combobox", name=label, exact=True)
    tags = page.get_by_test_id("stMultiSelect").filter(has=field).locator("[data-tag]")
    return sorted(set(tags.evaluate_all("tags => tags.map(t => t.getAttribute('aria-label'))")))


def test_a_new_tab_at_a_bare_url_opens_the_default_view(server, browser, demo_raw):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    for first, key, value, second in _picks(demo_raw):
        label = FILTERS[key][0]
        picked = context.new_page()
        picked.goto(f"{server.url}/{first}")
        wait_idle(picked)
        choose(picked, label, value)
        assert parse_qs(urlsplit(picked.url).query).get(key) == [value]  # the pick is in its tab's URL
        assert _shown(picked, label) == [value]

        fresh = context.new_page()  # the picking tab stays open
        fresh.goto(f"{server.url}/{second}")
        wait_idle(fresh)
        fresh.wait_for_timeout(500)  # a URL written after the run would come now
        assert urlsplit(fresh.url).query == "", (key, value, fresh.url)
        assert _shown(fresh, label) == [], (key, value)
        assert fresh.locator("[class*='st-key-chip_']").count() == 0, (key, value)
        # and the first tab still shows its own pick
        assert _shown(picked, label) == [value]
        picked.close()
        fresh.close()
    context.close()
