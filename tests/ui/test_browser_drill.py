"""Real browser: filter, click a bar to drill, share the link, reopen it elsewhere, remove a chip."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser_support import choose, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def kpi_values(page) -> dict[str, str]:
    out = {}
    for card in page.get_by_test_id("stMetric").all():
        label = card.get_by_test_id("stMetricLabel").inner_text().strip()
        out[label] = card.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def click_bar(page, chart, bar_index: int = 0) -> None:
    """Click the centre of one Plotly bar (Plotly listens to real pointer events)."""
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.point path").nth(bar_index)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_drill_share_reopen_and_remove_a_chip(server, browser):
    context = browser.new_context(
        viewport={"width": 1500, "height": 1100}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(f"{server.url}/channels")
    wait_idle(page)
    choose(page, "Region", "East")
    choose(page, "Segment", "SMB")

    # The service-channel bar chart: its bars are sorted by tickets, the first is the largest channel.
    service = page.get_by_test_id("stPlotlyChart").filter(has_text="Tickets")
    expected_channel = service.locator("g.xtick text").first.text_content()
    click_bar(page, service)
    expect(page).to_have_url(re.compile(r"channel="), timeout=30_000)
    wait_idle(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["region"] == ["East"] and query["segment"] == ["SMB"] and query["channel"] == [expected_channel]
    expect(page.get_by_test_id("stMetric")).to_have_count(4)
    before = kpi_values(page)
    assert set(before) == {"Revenue", "Orders", "Active customers", "Average order value"}

    page.get_by_role("button", name="Copy link").click()  # the link goes onto the clipboard
    expect(page.get_by_role("button", name="Link copied")).to_be_visible()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert "/channels?" in link and "ds=" in link and f"channel={expected_channel}" in link.replace("+", " ")

    fresh = browser.new_context(viewport={"width": 1500, "height": 1100})
    other = fresh.new_page()
    other.goto(link)
    wait_idle(other)
    # a new browser evaluates the chart code before it shows the page's elements: slow on a loaded machine
    expect(other.get_by_test_id("stMetric")).to_have_count(len(before), timeout=30_000)
    expect(other.get_by_test_id("stMetricValue").first).not_to_be_empty()
    assert kpi_values(other) == before
    chips = other.get_by_role("button", name=re.compile("✕"))
    expect(chips).to_have_count(3)
    fresh.close()

    page.get_by_role("button", name=f"Channel: {expected_channel} ✕").click()
    expect(page).not_to_have_url(re.compile(r"channel="), timeout=30_000)
    assert "region=East" in page.url and "segment=SMB" in page.url
    context.close()
