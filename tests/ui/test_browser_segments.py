"""Real browser: click an R × F cell, see the drill in the URL, list its customers, download them."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import expect

from insight.db.workspace import Workspace
from tests.browser_support import wait_idle
from tests.domain.test_segments import demo_lines, expected_rfm

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def click_cell(page, chart, index: int) -> None:
    """Click the centre of one grid cell (a square marker; cells run row by row from the top)."""
    chart.scroll_into_view_if_needed()
    box = chart.locator("path.point").nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_click_a_grid_cell_lists_and_downloads_its_customers(server, browser, demo_file, tmp_path):
    ws = Workspace(demo_file)
    lines = demo_lines(ws)
    ws.close()
    end = lines["order_date"].max().date()  # the default period: the data's last 12 months
    want, _ = expected_rfm(lines, end.replace(year=end.year - 1) + dt.timedelta(days=1), end)
    champions_cell = set(want.index[(want["r"] == 5) & (want["f"] == 5)])

    context = browser.new_context(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/segments")
    wait_idle(page)
    grid = page.get_by_test_id("stPlotlyChart").filter(has_text="R × F grid")
    click_cell(page, grid, 4)  # R 5 (the top row) × F 5 (its last cell)
    expect(page).to_have_url(re.compile(r"members=cell"), timeout=30_000)
    wait_idle(page)
    assert parse_qs(urlsplit(page.url).query)["members"] == ["cell:5-5"]

    heading = page.get_by_role("heading", name=re.compile(r"Customers: R 5 · F 5"))
    expect(heading).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{len(champions_cell):,} customers"))).to_be_visible()

    wait_idle(page)  # (a click during a run may reach a button the run is replacing)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download target list (CSV)").click()
    path = tmp_path / "list.csv"
    info.value.save_as(path)
    listed = pd.read_csv(path, encoding="utf-8-sig", dtype={"customer_id": str})
    assert set(listed["customer_id"]) == champions_cell
    assert (listed["r"] == 5).all() and (listed["f"] == 5).all()

    # The link reopens the same list elsewhere.
    fresh = browser.new_context(viewport={"width": 1500, "height": 1200})
    other = fresh.new_page()
    other.goto(page.url)
    wait_idle(other)
    expect(other.get_by_role("heading", name=re.compile(r"Customers: R 5 · F 5"))).to_be_visible()
    fresh.close()
    context.close()
