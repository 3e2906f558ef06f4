"""Real browser: switch the churn definition, change N, and see the URL and the trend follow."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser_support import wait_idle
from tests.domain.test_churn import default_period, pandas_monthly, pandas_spells

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def expected_rates(orders, days: int) -> list[float]:
    start, end = default_period(orders)
    monthly = pandas_monthly(pandas_spells(orders, days), pd.date_range(start.replace(day=1), end, freq="MS"), end)
    return list(monthly["churned"] / monthly["active"])


def trend_values(page) -> list[float]:
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Monthly churn rate")
    chart.scroll_into_view_if_needed()
    return chart.locator(".js-plotly-plot").evaluate("el => Array.from(el._fullData[0].y)")


def test_switch_definition_and_n_then_reopen_the_link(server, browser, demo_raw):
    orders = demo_raw["orders"]
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(f"{server.url}/churn")
    wait_idle(page)
    expect(page.get_by_text("customers table has a churned flag")).to_be_visible()

    page.get_by_test_id("stButtonGroup").get_by_text("No order for N days").click()
    expect(page).to_have_url(re.compile(r"churn=behavioural"), timeout=30_000)
    wait_idle(page)
    expect(page.get_by_text("has not ordered for 90 days")).to_be_visible()
    np.testing.assert_allclose(trend_values(page), expected_rates(orders, 90), rtol=1e-9)

    days = page.get_by_label("N (days without an order)")
    days.fill("60")
    days.press("Enter")
    expect(page).to_have_url(re.compile(r"days=60"), timeout=30_000)
    wait_idle(page)
    expect(page.get_by_text("has not ordered for 60 days")).to_be_visible()
    sixty = expected_rates(orders, 60)
    np.testing.assert_allclose(trend_values(page), sixty, rtol=1e-9)
    assert parse_qs(urlsplit(page.url).query)["churn"] == ["behavioural"]

    # The link reopens the same view in a fresh browser.
    fresh = browser.new_context(viewport={"width": 1500, "height": 1200})
    other = fresh.new_page()
    other.goto(page.url)
    wait_idle(other)
    expect(other.get_by_text("has not ordered for 60 days")).to_be_visible()
    np.testing.assert_allclose(trend_values(other), sixty, rtol=1e-9)
    fresh.close()
    context.close()
