"""Real browser: click a campaign to drill every page to its customers; the URL carries it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser_support import wait_idle
from tests.ui.test_browser_drill import click_bar

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_click_a_campaign_drills_by_campaign(server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(f"{server.url}/campaigns?from=2025-01-01&to=2026-10-31")
    wait_idle(page)
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Conversion by campaign")
    click_bar(page, chart, 0)  # campaigns in start order: CMP01 first
    expect(page).to_have_url(re.compile(r"campaign=CMP01"), timeout=30_000)
    wait_idle(page)
    assert parse_qs(urlsplit(page.url).query)["campaign"] == ["CMP01"]
    expect(page.get_by_role("button", name=re.compile("Campaign: CMP01 ✕"))).to_be_visible()
    context.close()
