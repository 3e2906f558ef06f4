"""Real browser: every page in both languages at 1440 × 900 reads as a product — no raw codes,
no untranslated catalog keys, no `None`/`nan`, and the R × F grid's labels do not overlap.

Set INSIGHT_SHOTS=/some/folder to keep the screenshots for a look."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from insight import i18n
from insight.db.workspace import Workspace
from tests.browser_support import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns", "saved", "customer", "data", "admin")

#: Column names and codes of the data and the core that a reader must never see as such.
DENYLIST = (
    "customer_id",
    "first_order",
    "last_order",
    "shortest_gap_days",
    "order_date",
    "created_at",
    "share_of_change",
    "age_hours",
    "churn_rate",
    "on_time",
    "Store, True",
    "00:00:00",
)
#: Missing values as Python or pandas write them, anywhere.
MISSING = ("None", "nan", "NaN", "NaT", "<NA>")
#: Codes that are words: wrong as a whole label or cell (inside a sentence they are English).
ALONE = ("True", "False", "level", "urgent", "open", "closed", "contract", "city", "plan")
#: snake_case words are codes; these few are data a user typed or file names.
SNAKE_OK = re.compile(r"^(demo_\w+|\w+\.(csv|xlsx|duckdb))$")


def visible_texts(page) -> list[str]:
    """Every text a reader sees: the DOM's text nodes, the charts' SVG text and the data grids'
    cells (drawn on a canvas; their accessible table holds the cells)."""
    return page.evaluate(
        """() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const n = walker.currentNode, el = n.parentElement;
            if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
            if (el.closest('[class*="st-key-urlstate_"]')) continue;  // hidden URL state
            if (getComputedStyle(el).fontFamily.includes('Material')) continue;  // icon ligatures
            const t = n.textContent.trim();
            if (t) out.push(t);
        }
        return out;
    }"""
    )


def problems(texts: list[str]) -> list[str]:
    keys = set(i18n.CATALOG)
    found = []
    for text in texts:
        if text in keys:
            found.append(f"catalog key {text!r}")
        for code in DENYLIST:
            if code in text:
                found.append(f"raw code {code!r} in {text[:80]!r}")
        if text in ALONE:
            found.append(f"code {text!r} as a label")
        for word in re.split(r"[\s,;:()·|]+", text):
            if word in MISSING:
                found.append(f"{word!r} in {text[:80]!r}")
            if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", word) and not SNAKE_OK.match(word):
                found.append(f"snake_case {word!r} in {text[:80]!r}")
    return found


def overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    hits = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1 :], i + 1):
            if (
                a["x"] < b["x"] + b["width"] - 1
                and b["x"] < a["x"] + a["width"] - 1
                and a["y"] < b["y"] + b["height"] - 1
                and b["y"] < a["y"] + a["height"] - 1
            ):
                hits.append((i, j))
    return hits


def grid_overlaps(page) -> list[str]:
    """The R × F grid's 25 cell labels, compared by bounding box."""
    grid = page.get_by_test_id("stPlotlyChart").filter(has_text=re.compile(r"R × F")).first
    grid.scroll_into_view_if_needed()
    labels = [b for b in (t.bounding_box() for t in grid.locator("g.textpoint text").all()) if b]
    assert len(labels) == 25, len(labels)
    return [f"R × F labels {i} and {j} overlap" for i, j in overlaps(labels)]


def period_in_boxes(page) -> list[str]:
    """The From/To boxes show the period in force (the one the page's caption names)."""
    caption = page.get_by_text(re.compile(r"\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} ·")).first.inner_text()
    start, end = re.search(r"(\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})", caption).groups()
    found = []
    for key, day in (("from", start), ("to", end)):
        box = page.locator(f".st-key-{key} [data-testid=stDateInputFieldsScroller]")
        shown = box.evaluate("e => getComputedStyle(e, '::after').content")
        if shown != f'"{day.replace("-", "/")}"':
            found.append(f"the {key} box shows {shown}, not {day}")
    return found


def show_everything(page) -> None:
    """Open the expanders and scroll to the bottom, so lazily drawn parts are drawn."""
    for summary in page.locator("[data-testid=stExpander] summary").all():
        summary.click()
    wait_idle(page)
    page.mouse.wheel(0, 20_000)
    page.wait_for_timeout(500)


def screenshot(page, path: Path, width: int) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window grows to its height."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(height, 900), 12_000)})
    page.wait_for_timeout(800)
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_rf_grid_labels_fit_at_1024_wide(server, browser, lang):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/segments?lang={lang}")
    wait_idle(page, timeout=120_000)
    found = grid_overlaps(page)
    context.close()
    assert not found, found


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1440])
def test_every_page_reads_as_a_product(server, browser, demo_file, lang, width):
    ws = Workspace(demo_file)
    tickets = ws.snapshot()["tickets"]
    busiest = ws.query(f"SELECT customer_id FROM {tickets} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    ws.close()
    links = [*PAGES, f"customer?id={busiest.iloc[0, 0]}"]
    shots = Path(os.environ["INSIGHT_SHOTS"]) if os.environ.get("INSIGHT_SHOTS") else None
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failures: dict[str, list[str]] = {}
    for link in links:
        name = link.replace("?id=", "-")
        page.goto(f"{server.url}/{link}{'&' if '?' in link else '?'}lang={lang}")
        wait_idle(page, timeout=120_000)
        show_everything(page)
        if shots:
            screenshot(page, shots / f"{name}-{lang}-{width}.png", width)
        found = problems(visible_texts(page))
        assert not page.get_by_test_id("stException").count(), f"{name}: an exception is shown"
        if name == "segments":
            grid = page.get_by_test_id("stPlotlyChart").filter(has_text=re.compile(r"R × F")).first
            labels = [b for b in (t.bounding_box() for t in grid.locator("g.textpoint text").all()) if b]
            assert len(labels) == 25, len(labels)
            found += [f"R × F labels {i} and {j} overlap" for i, j in overlaps(labels)]
        if found:
            failures[name] = sorted(set(found))
    context.close()
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
