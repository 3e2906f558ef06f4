"""Real browser: click a Pareto bar to drill from category to subcategories, then to the tickets,
and see the URL carry the drill."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser_support import wait_idle
from tests.domain.test_complaints import demo_complaints
from tests.ui.test_browser_drill import click_bar

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_pareto_drills_to_subcategories_then_tickets(server, browser, demo_raw):
    period, _, _ = demo_complaints(demo_raw)

    def ranked(values):  # the Pareto's order: most first, ties by name
        counts = values.value_counts()
        return counts.loc[sorted(counts.index, key=lambda v: (-counts[v], v))]

    top = ranked(period["category"]).index[0]  # the first (tallest) bar
    subs = ranked(period[period["category"] == top]["subcategory"])
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(f"{server.url}/complaints")
    wait_idle(page)

    click_bar(page, page.get_by_test_id("stPlotlyChart").filter(has_text="Complaints by category"), 0)
    expect(page).to_have_url(re.compile(r"category="), timeout=30_000)
    wait_idle(page)
    assert parse_qs(urlsplit(page.url).query)["category"] == [top]
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Complaints by subcategory")
    expect(chart).to_be_visible()

    click_bar(page, chart, 0)
    expect(page).to_have_url(re.compile(r"sub="), timeout=30_000)
    wait_idle(page)
    assert parse_qs(urlsplit(page.url).query)["sub"] == [subs.index[0]]
    expect(page.get_by_role("heading", name=f"Tickets: {subs.index[0]}")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{subs.iloc[0]:,} tickets"))).to_be_visible()

    # The link reopens the drilled view.
    fresh = browser.new_context(viewport={"width": 1500, "height": 1200})
    other = fresh.new_page()
    other.goto(page.url)
    wait_idle(other)
    expect(other.get_by_role("heading", name=f"Tickets: {subs.index[0]}")).to_be_visible()
    fresh.close()
    context.close()
