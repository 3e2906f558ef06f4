"""Real browser: sign-in before any figure, a region-scoped viewer's figures, role-gated pages,
crafted links that render no link or image, and the audit entry of an import."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from playwright.sync_api import expect

from insight.auth import users
from insight.auth.access import RowScope
from insight.db.workspace import Workspace
from insight.formatting import value as fmt
from tests.browser_support import IDLE, Server, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORDS = {"alice": "alice-admin-pw", "ann": "ann-viewer-pw"}


@pytest.fixture(scope="module")
def access_server(demo_file, tmp_path_factory):
    """The demo with an administrator and a viewer limited to region East (added before the
    server holds the file)."""
    tmp = tmp_path_factory.mktemp("access")
    shutil.copy(demo_file, tmp / "ws.duckdb")
    ws = Workspace(tmp / "ws.duckdb")
    users.add(ws, "alice", "admin", PASSWORDS["alice"])
    users.add(ws, "ann", "viewer", PASSWORDS["ann"], RowScope.parse(["region=East"]))
    ws.close()
    srv = Server(tmp / "ws.duckdb", tmp / "streamlit.log")
    yield srv
    srv.stop()


def sign_in(page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    # The page writes the session cookie from a component whose code loads after the run: a
    # navigation before that opens a session that is not signed in, as it would for a user.
    page.wait_for_function("() => /(^|; )insight_session=[^;]/.test(document.cookie)", timeout=30_000)


def fresh(browser):
    context = browser.new_context(signed_in=False, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    return context, context.new_page()


def metric(page, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return card.get_by_test_id("stMetricValue").inner_text()


def test_sign_in_is_required_before_figures_and_survives_a_reload(access_server, browser):
    context, page = fresh(browser)
    page.goto(f"{access_server.url}/overview?region=North&cmp=none")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.get_by_test_id("stMetric").count() == 0  # no figure before sign-in
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Region")).to_contain_text("North")  # link kept
    revenue = metric(page, "Revenue")
    page.reload()
    page.wait_for_selector(IDLE, timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()  # the session cookie signs back in
    assert metric(page, "Revenue") == revenue
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the session ended
    context.close()


def test_a_region_scoped_viewer_sees_the_east_figures_and_no_data_page(access_server, browser, demo_raw):
    context, page = fresh(browser)
    page.goto(f"{access_server.url}/overview?from=2026-01-01&to=2026-06-30&region=West")
    wait_idle(page)
    sign_in(page, "ann")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # The link asked for West: the figures are the link ∩ her rows (nothing), with a note.
    expect(page.get_by_text("outside the rows you may see").first).to_be_visible()
    assert page.get_by_test_id("stMetric").count() == 0  # no figures: West ∩ East is empty
    page.goto(f"{access_server.url}/overview?from=2026-01-01&to=2026-06-30")
    wait_idle(page)
    orders = demo_raw["orders"]
    east = orders[
        (orders["order_date"] >= "2026-01-01")
        & (orders["order_date"] < "2026-07-01")
        & (orders["region"] == "East")
        & ~orders["status"].isin(["cancelled", "returned"])
    ]
    assert metric(page, "Orders") == fmt(len(east), "int")
    assert metric(page, "Revenue") == fmt(east["amount"].sum(), "money")
    assert metric(page, "Active customers") == fmt(east["customer_id"].nunique(), "int")
    # Only East can be chosen, and View rows (analysts and up) is not there.
    assert page.get_by_text("View rows").count() == 0
    # Data is not in the navigation, and its URL says "not allowed" without any upload.
    assert page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).count() == 0
    page.goto(f"{access_server.url}/data")
    wait_idle(page)
    expect(page.get_by_text("not open to your role")).to_be_visible()
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    context.close()


def test_a_crafted_link_renders_no_link_or_image(access_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    phishing = "[Session expired, sign in again](https://evil.example/login)"
    image = "![x](https://evil.example/pixel.png)"
    html = "<img src=https://evil.example/tag.png>"
    query = pd.Series({"region": phishing, "segment": image, "category": html, "mv": phishing, "days": "²"})
    page.goto(f"{access_server.url}/overview?" + "&".join(f"{k}={v}" for k, v in query.items()))
    wait_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Session expired, sign in again").first).to_be_visible()  # shown as text
    links = page.locator("a[href*='evil.example']")
    assert links.count() == 0, [links.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(links.count())]
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    context.close()


def test_the_admin_sees_the_audit_entry_of_an_import(access_server, browser, tmp_path):
    csv_path = tmp_path / "=1+1 list.csv"
    names = ["[spring](https://evil.example)", "<img src=https://evil.example/x.png>", "Wang"]
    pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": names, "region": ["East"] * 3}).to_csv(
        csv_path, index=False
    )
    context, page = fresh(browser)
    page.goto(f"{access_server.url}/data")
    wait_idle(page)
    sign_in(page, "alice")
    assert "/data" in page.url, page.url
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
    wait_idle(page)
    page.get_by_role("button", name="Import 3 rows into customers").click()
    wait_idle(page)
    expect(page.get_by_text("Imported 3 rows into customers")).to_be_visible()
    assert page.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    page.goto(f"{access_server.url}/admin")
    wait_idle(page)
    page.get_by_role("tab", name="Audit log").click()
    wait_idle(page)
    grid = page.locator("[data-testid=stDataFrame]:visible").last  # the Audit log tab's grid
    expect(grid).to_contain_text("=1+1 list.csv -> customers")
    expect(grid).to_contain_text("alice")
    context.close()
