"""Real browser on the serving app (`python -m insight.serve`, insight/ui/frontend.py): the chart
chunk is fetched from the HTML's head, served with its compile hint, only the app's trace types
registered and only the code they reach kept, with Streamlit's cache headers; the charts drawn from
it keep every trace's type and values and still drill when a bar is clicked; a page's tab asks the
server's root for its health, never the page's path."""

from __future__ import annotations

import re
import shutil
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from streamlit import file_util

from insight.ui import frontend
from tests.browser_support import Server, wait_idle
from tests.domain.test_complaints import demo_complaints
from tests.ui.test_browser_drill import click_bar

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STREAMLIT = Path(file_util.get_static_dir())
#: When the page asked for the chart chunk and for Streamlit's settings (`_stcore/host-config`).
STARTED = """(() => {
  const at = (re) => performance.getEntriesByType('resource').filter(e => re.test(e.name)).map(e => e.startTime);
  return {chunk: at(/static\\/js\\/PlotlyChart\\./), settings: at(/_stcore\\/host-config/)};
})()"""


#: Every page with charts, opened by its own URL.
PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns")
#: Each drawn chart's title and traces: the type the server sent (Plotly's default, scatter, when
#: none), the type Plotly drew it as (an unregistered type falls back to scatter) and its points.
TRACES = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].map(g => ({
  title: g.querySelector(".gtitle") ? g.querySelector(".gtitle").textContent : "",
  traces: g.data.map((t, i) => ({sent: t.type || 'scatter', drawn: g._fullData[i].type,
    x: Array.from(g._fullData[i].x || []), y: Array.from(g._fullData[i].y || [])})),
}))"""
#: The server's endpoints the page asked for (path and query).
ASKED = """() => performance.getEntriesByType('resource').map(e => new URL(e.name))
  .filter(u => u.pathname.includes('/_stcore/')).map(u => u.pathname)"""


@pytest.fixture(scope="module")
def serving(demo_file, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("frontend")
    shutil.copy(demo_file, tmp / "ws.duckdb")
    server = Server(tmp / "ws.duckdb", tmp / "streamlit.log", entry=("insight.serve",))
    yield server
    server.stop()


def get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def test_the_chunk_is_preloaded_hinted_and_cached_like_streamlits_own(serving):
    (chunk,) = frontend.chunks(STREAMLIT)
    html, _ = get(f"{serving.url}/overview")
    assert f'<link rel="modulepreload" crossorigin href="./static/js/{chunk.name}">' in html.decode()
    body, headers = get(f"{serving.url}/static/js/{chunk.name}")
    assert (
        body
        == frontend.HINT + frontend.trimmed(frontend.pruned(chunk.read_bytes()))
        != frontend.HINT + chunk.read_bytes()
    )
    other = next(p for p in chunk.parent.glob("*.js") if p != chunk)
    other_body, other_headers = get(f"{serving.url}/static/js/{other.name}")
    assert other_body == other.read_bytes()
    for name in ("cache-control", "content-type"):
        assert headers[name] == other_headers[name], name
    assert "immutable" in headers["cache-control"] and "javascript" in headers["content-type"]


def test_the_preloaded_charts_draw_and_drill(serving, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.goto(f"{serving.url}/channels")
    wait_idle(page)
    service = page.get_by_test_id("stPlotlyChart").filter(has_text="Tickets")
    expect(service.locator("svg.main-svg").first).to_be_visible(timeout=30_000)
    # the chunk was asked for by the HTML, before Streamlit's code even asked the server for its settings
    started = page.evaluate(STARTED)
    assert len(started["chunk"]) == 1 and started["chunk"][0] < min(started["settings"])
    channel = service.locator("g.xtick text").first.text_content()
    click_bar(page, service)
    expect(page).to_have_url(re.compile(r"channel="), timeout=30_000)
    wait_idle(page)
    assert f"channel={channel}" in page.url.replace("+", " ").replace("%20", " ")
    expect(page.get_by_role("button", name=f"Channel: {channel} ✕")).to_be_visible()
    context.close()


def test_every_chart_keeps_its_trace_types_and_the_page_asks_the_servers_root(serving, browser, demo_raw):
    period, _, _ = demo_complaints(demo_raw)
    categories = period["category"].value_counts()
    categories = categories.loc[sorted(categories.index, key=lambda c: (-categories[c], c))]  # the Pareto's order
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    kinds = set()
    for name in PAGES:
        page.goto(f"{serving.url}/{name}")
        wait_idle(page)
        page.wait_for_selector("[data-testid=stPlotlyChart] svg.main-svg")
        charts = page.evaluate(TRACES)
        assert charts, name
        for chart in charts:
            for trace in chart["traces"]:
                assert trace["drawn"] == trace["sent"], (name, chart["title"])
                kinds.add(trace["sent"])
        if name == "complaints":
            (pareto,) = [c for c in charts if c["title"] == "Complaints by category"]
            bars = next(t for t in pareto["traces"] if t["sent"] == "bar")
            assert bars["x"] == list(categories.index) and bars["y"] == list(categories)
        # Streamlit's front end asks the server's root, not the page's path, for its health and settings
        asked = page.evaluate(ASKED)
        assert "/_stcore/health" in asked and "/_stcore/host-config" in asked
        assert all(path.startswith("/_stcore/") for path in asked), (name, asked)
    assert kinds == {"scatter", *frontend.TRACES}  # every registered type is drawn somewhere
    context.close()
