"""Real browser: save a view, reopen it from Saved views in a fresh browser context (same
numbers, same filters), and download its PDF as printed by the serving app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import wait_idle
from tests.reports.test_reports import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LINK = "overview?from=2026-01-01&to=2026-03-31&region=East&cmp=yoy"


def metrics(page) -> dict[str, str]:
    out = {}
    for card in page.get_by_test_id("stMetric").all():
        label = card.get_by_test_id("stMetricLabel").inner_text().strip()
        out[label] = card.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def test_a_saved_view_reopens_with_the_same_numbers_in_a_fresh_browser(server, browser, tmp_path):
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = first.new_page()
    page.goto(f"{server.url}/{LINK}")
    wait_idle(page)
    expect(page.get_by_test_id("stMetric")).to_have_count(9)
    seen = metrics(page)
    page.get_by_role("button", name="Save view").click()
    page.get_by_label("View name").fill("Q1 East vs last year")
    page.get_by_text("Share with the team").click()
    page.get_by_role("button", name="Save", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Saved as Q1 East vs last year")).to_be_visible()
    first.close()

    second = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = second.new_page()
    page.goto(f"{server.url}/saved")
    wait_idle(page)
    blocks = page.get_by_test_id("stVerticalBlock").filter(has_text="Q1 East vs last year")
    card = blocks.filter(has=page.get_by_test_id("stDownloadButton")).last  # the view's card
    with page.expect_download(timeout=120_000) as download:
        card.get_by_test_id("stDownloadButton").get_by_role("button").click()
    (tmp_path / "view.pdf").write_bytes(download.value.path().read_bytes())
    card.get_by_role("button", name="Open").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page).to_have_url(re.compile(r"region=East"), timeout=30_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(9)
    assert metrics(page) == seen
    assert "region=East" in page.url and "from=2026-01-01" in page.url and "cmp=yoy" in page.url
    chips = page.get_by_test_id("stMultiSelect").filter(has_text="Region")
    expect(chips).to_contain_text("East")
    printed = pdf_text(tmp_path / "view.pdf")
    assert "Q1 East vs last year" in printed and seen["Revenue"] in printed and seen["Orders"] in printed
    second.close()
