"""Real browser: Channel mix's migration and roles section opens on demand, writes the URL, and a
link reopens it open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SECTION = "How customers move between channels"


def test_the_journeys_section_computes_when_opened_and_the_link_reopens_it(server, browser, demo_raw):
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(f"{server.url}/channels")
    wait_idle(page)
    expander = page.get_by_test_id("stExpander").filter(has_text=SECTION)
    expect(expander).to_be_visible()
    expect(page.get_by_text("Channel roles by customer stage")).to_have_count(0)  # not computed, not drawn
    assert "more=" not in page.url

    expander.get_by_text(SECTION).click()
    expect(page).to_have_url(re.compile(r"more=true"), timeout=30_000)
    wait_idle(page)
    expect(page.get_by_text("Channel roles by customer stage")).to_be_visible()
    migration = page.get_by_test_id("stPlotlyChart").filter(has_text="Channel migration")
    migration.scroll_into_view_if_needed()
    z = migration.locator(".js-plotly-plot").evaluate(
        "el => Array.from(el._fullData[0].z).flatMap(r => Array.from(r)).filter(v => v != null)"
    )
    orders = demo_raw["orders"]
    assert 0 < sum(z) <= orders["customer_id"].nunique()  # each customer counted once, first → latest

    fresh = browser.new_context(viewport={"width": 1500, "height": 1200})
    other = fresh.new_page()
    other.goto(page.url)
    wait_idle(other)
    expect(other.get_by_text("Channel roles by customer stage")).to_be_visible()
