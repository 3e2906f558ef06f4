"""Real browser: a wide campaign-response file through the wizard to the end, and a cancelled upload
that leaves nothing behind."""

from __future__ import annotations

import os
import re
import shutil
import stat

import pandas as pd
import pytest
from playwright.sync_api import expect

from insight.db.workspace import Workspace
from tests.browser_support import Server, wait_idle
from tests.corpus import _marketing_wide

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def app(demo_file, tmp_path):
    """A server of its own (the test changes the data), and where its uploads wait."""
    workspace = tmp_path / "ws.duckdb"
    shutil.copy(demo_file, workspace)
    srv = Server(workspace, tmp_path / "streamlit.log")
    yield srv, workspace
    srv.stop()


def choose_table(page, name: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Import as").click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_idle(page)


def test_a_wide_response_file_imports_through_the_wizard(app, browser, tmp_path):
    srv, workspace = app
    path, expected = _marketing_wide(tmp_path)
    frame = pd.read_csv(path, sep="\t")
    page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    page.goto(f"{srv.url}/data")
    wait_idle(page)
    choose_table(page, "contacts")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_idle(page)
    # The detection, the campaign columns and the flags left out, and the id column, in one step.
    expect(page.get_by_text("one response column per campaign (6 found)")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Left out by default .*Complain"))).to_be_visible()
    expect(page.get_by_role("combobox", name="Customer id column")).to_have_value("ID")
    campaigns = page.get_by_test_id("stMultiSelect").filter(has_text="Campaign columns to unpivot")
    for column in ("AcceptedCmp1", "AcceptedCmp5", "Response"):
        expect(campaigns).to_contain_text(column)
    # The upload waits privately in the workspace folder.
    waiting = list((workspace.parent / "uploads").iterdir())
    assert len(waiting) == 1 and stat.S_IMODE(os.stat(waiting[0]).st_mode) == 0o600
    contacts = 6 * len(frame)
    rows = page.get_by_test_id("stMetric").filter(has_text="Rows to load")
    expect(rows).to_contain_text(f"{contacts:,}")
    page.get_by_role("button", name=f"Import {contacts:,} rows into contacts").click()
    wait_idle(page)
    expect(page.get_by_text(f"Imported {contacts:,} rows into contacts")).to_be_visible()
    assert list((workspace.parent / "uploads").iterdir()) == []  # deleted after the import
    page.close()
    srv.stop()
    ws = Workspace(workspace)
    got = ws.query("SELECT campaign_id, count(*) AS n, sum(CAST(responded AS INT)) AS r FROM contacts GROUP BY 1")
    ws.close()
    assert got.set_index("campaign_id")["r"].to_dict() == expected["responses"]
    assert (got["n"] == len(frame)).all()


def test_a_cancelled_upload_is_deleted(app, browser, tmp_path):
    srv, workspace = app
    path = tmp_path / "customers.csv"
    pd.DataFrame({"客户编号": ["U1", "U2"], "姓名": ["甲", "乙"]}).to_csv(path, index=False)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{srv.url}/data")
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_idle(page)
    expect(page.get_by_text("Rows to load")).to_be_visible()
    assert len(list((workspace.parent / "uploads").iterdir())) == 1
    page.get_by_role("button", name="Cancel this upload").first.click()
    wait_idle(page)
    expect(page.get_by_text("Rows to load")).to_have_count(0)
    assert list((workspace.parent / "uploads").iterdir()) == []
    page.close()
