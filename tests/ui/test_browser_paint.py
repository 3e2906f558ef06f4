"""Real browser: the charts are drawn once. The server reserves room for each chart's labels
(insight/charts/margins.py), so Plotly's automargin finds nothing to widen and does not draw the
chart a second time; and the room is real: every tick label, axis title and legend item lies
inside its chart. Every page's default view in both languages at 1440 × 900."""

from __future__ import annotations

import pytest

from tests.browser_support import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns")

#: Each drawn chart: the margins the server sent, those Plotly drew with, and the labels that
#: stick out of the chart's own box (by more than a pixel of anti-aliasing).
CHARTS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] div')]
  .filter(g => g._fullLayout)
  .map(g => {
    const sent = g.layout.margin, drawn = g._fullLayout._size, box = g.getBoundingClientRect();
    const labels = [...g.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .legend .traces')];
    const out = labels.map(t => [t.textContent, t.getBoundingClientRect()]).filter(([_, r]) => r.width > 0 &&
      (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1));
    return {
      title: (g._fullLayout.title || {}).text || '',
      sent: [sent.l, sent.r, sent.t, sent.b],
      drawn: [drawn.l, drawn.r, drawn.t, drawn.b].map(Math.round),
      outside: out.map(([text]) => text),
    };
  })"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_is_drawn_once_with_room_for_its_labels(server, browser, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    seen = 0
    problems = []
    for name in PAGES:
        page.goto(f"{server.url}/{name}?lang={lang}")
        wait_idle(page)
        page.wait_for_selector("[data-testid=stPlotlyChart] svg.main-svg")
        charts = page.evaluate(CHARTS)
        seen += len(charts)
        for chart in charts:
            if chart["drawn"] != chart["sent"]:
                problems.append(f"{name}: {chart['title']!r} drawn again: margins {chart['sent']} → {chart['drawn']}")
            if chart["outside"]:
                problems.append(f"{name}: {chart['title']!r} cuts {chart['outside'][:3]}")
    context.close()
    assert seen >= 2 * len(PAGES)
    assert not problems, problems


def test_one_chart_library_and_the_sparklines_drawn_as_images(server, browser):
    """The Overview loads Plotly and no Vega (its sparklines are images)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/overview")
    wait_idle(page)
    page.wait_for_selector("[data-testid=stPlotlyChart] svg.main-svg")
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name.split('/').pop())")
    assert any(name.startswith("PlotlyChart.") for name in loaded)
    assert not any(name.startswith(("embed.", "vega")) for name in loaded), "Vega-Lite was loaded"
    assert page.get_by_test_id("ciSparkline").count() >= 4
    context.close()
