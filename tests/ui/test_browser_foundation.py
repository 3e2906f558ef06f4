"""Real browser: upload through the Data page, switch language, and reopen a filtered URL."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser_support import choose, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def test_upload_then_language_then_filter_survives_reload(server, page, tmp_path):
    csv_path = tmp_path / "客户名单.csv"
    frame = pd.DataFrame(
        {
            "客户编号": [f"U{i:03d}" for i in range(37)],
            "姓名": [f"客户{i}" for i in range(37)],
            "地区": ["华东", "华南", "华北"] * 12 + ["华东"],
            "是否流失": ["是", "否", "否", "否"] * 9 + ["否"],
        }
    )
    frame.to_csv(csv_path, index=False, encoding="gbk")

    page.goto(f"{server.url}/data")
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
    wait_idle(page)
    expect(page.get_by_text("Rows to load")).to_be_visible()
    page.get_by_role("button", name="Import 37 rows into customers").click()
    wait_idle(page)
    expect(page.get_by_text("Imported 37 rows into customers")).to_be_visible()
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("客户名单.csv")
    row = table.locator("tr", has_text="客户名单.csv")
    expect(row).to_contain_text("37")

    page.get_by_test_id("stButtonGroup").get_by_text("简体中文").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="数据管理")).to_be_visible()
    expect(page.get_by_text("筛选", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"lang=zh"), timeout=30_000)

    # Set a filter: the region widget lists the new customers' regions too.
    choose(page, "地区", "华南")
    expect(page).to_have_url(re.compile(r"region="), timeout=30_000)
    wait_idle(page)
    url = page.url
    page.goto(url)
    wait_idle(page)
    chips = page.get_by_test_id("stMultiSelect").filter(has_text="地区")
    expect(chips).to_contain_text("华南")
    expect(page.get_by_role("heading", name="数据管理")).to_be_visible()
