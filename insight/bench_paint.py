"""First paint in a real browser: Debian's Chromium, driven by Playwright, on the real server.

Timed from the navigation (or the filter pick) until the script run it started is over and every
chart on the page has drawn its SVG: **cold** is the first visit of each page right after the
server starts (after its warm-up of the default views, insight/serve.py), **warm** a second visit
of the same page in a new tab, **filter change** picking a region in the filter bar of the open
page. The end of the run is seen, not guessed: a script in the page counts the app's switches back
to "not running", so a run that starts late on a loaded machine is waited for; a pick's run is
over when the page shows the picked region among its active filters and no run is going on (a
run served from the caches may never switch the state at all).

The browser runs on a profile of its own (a new one per bench run), as a user's browser does: a
returning visitor's Chromium keeps the compiled code of the scripts it ran (its code cache, a
third of Plotly's 4.7 MB module's evaluation), which an incognito context keeps nowhere. Beside
the wall times, `browser_cpu_s` is the CPU time all of the browser's processes spent on each
visit (the median of the pages), a figure a machine shared with other work disturbs far less.

Where a visit's time goes, `phases_s` (medians of the pages, seconds from the navigation): `run_end`
when the page saw the server's run end (the HTML, Streamlit's own code, the websocket and the
script run), `shown` when no element waits for its lazily loaded code any more (Plotly's module
for a page with a chart), and `drawn` when every chart has drawn. `INSIGHT_PAINT_FLAGS` adds
Chromium switches, to measure what a browser setting changes: Chromium 156 with its default
`BackgroundResourceFetch` produces a code cache for Streamlit's module scripts but never consumes
it, which `--disable-features=BackgroundResourceFetch` restores (docs/benchmark-history.md, first paint).
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from insight.bench_load import Server

CHROMIUM = "/usr/bin/chromium"
PAGES = ("overview", "channels", "churn", "complaints", "segments")
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
#: Counts the runs that end in the page (`window.ciRuns`), from the first byte of the document, and
#: notes when the first one ended (`window.ciRunEnd`, ms from the navigation).
RUNS = """window.ciRuns = 0;
new MutationObserver((changes) => {
  for (const c of changes) if (c.target.getAttribute(c.attributeName) === 'notRunning') {
    window.ciRuns += 1;
    window.ciRunEnd = window.ciRunEnd || performance.now();
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});"""
#: Every element is drawn (Streamlit draws a grey skeleton, `stSkeleton`, where an element waits for
#: its lazily loaded code: the KPI cards, charts and tables of a first visit) and every chart drew
#: its SVG (a page without a chart only waits for its elements). When no element waits any more is
#: noted (`window.ciShown`).
_ALL_DRAWN = """
  if (app.querySelector('[data-testid=stSkeleton]')) return false;
  window.ciShown = window.ciShown || performance.now();
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  return charts.every(c => c.querySelector('svg.main-svg'));"""
#: A visit is drawn: a run ended since the count was reset, none is going on, everything is drawn.
DRAWN = (
    """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!window.ciRuns || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;"""
    + _ALL_DRAWN
    + "\n}"
)
#: A filter change is drawn: the run the pick started has drawn the filter's chip (the page's
#: "active filters", insight/ui/interact.py: the server's answer to the pick, never the browser's
#: echo of it), no run is going on and everything is drawn. Not counted by `RUNS`: the run of a
#: pick the server serves from its caches comes in one burst of messages, which React renders in
#: one commit, so the app's script state may never leave "notRunning".
PICKED = (
    """([dim, value]) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!app.querySelector(`.st-key-chip_${CSS.escape(dim)}_${CSS.escape(value)}`)) return false;"""
    + _ALL_DRAWN
    + "\n}"
)

#: What a page that is not drawn waits for, for the message of a bench that gives up.
STATE = """() => ({
  runs: window.ciRuns,
  state: document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state'),
  skeletons: document.querySelectorAll('[data-testid=stSkeleton]').length,
  undrawn: [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .filter(c => !c.querySelector('svg.main-svg')).length,
})"""


def _painted(page, started: float, done: str = DRAWN, arg=None, timeout_ms: int = 120_000) -> float:
    """Seconds from `started` until `done` (a predicate in the page, given `arg`) holds."""
    try:
        page.wait_for_function(done, arg=arg, timeout=timeout_ms, polling=20)
    except Exception as e:  # say what it waited for
        raise RuntimeError(f"the page was not drawn: {page.evaluate(STATE)}") from e
    return time.perf_counter() - started


def _visit(context, url: str) -> tuple[float, dict, object]:
    """Seconds from the navigation to `url` in a new tab until it is drawn, its phases, the tab."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    seconds = _painted(page, started)
    run_end, shown = page.evaluate("[window.ciRunEnd, window.ciShown]")
    return seconds, {"run_end": run_end / 1000, "shown": shown / 1000, "drawn": seconds}, page


def browser_cpu(profile: str) -> dict[str, float]:
    """CPU seconds (user + system) each of the browser's processes has used so far, by process id:
    those started on `profile` (each Chromium process names its profile on its command line)."""
    used = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if profile.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_since(before: dict[str, float], profile: str) -> float:
    """CPU seconds the browser's processes used since `before` (`browser_cpu`): the growth of each
    process alive now, so that a closed tab's renderer ending meanwhile takes nothing away."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in browser_cpu(profile).items())


def _pick_region(page, region: str, attempts: int = 3) -> float:
    """Seconds from picking `region` in the filter bar to the page redrawn with it (a rerun may
    close the list under the pointer, or redraw it under the click: then the pick again).

    Each visit opens the page's bare URL in a new tab, so its filter bar must be empty: a region
    already picked there is an error, never picked around."""
    field = page.get_by_role("combobox", name="Region", exact=True)
    picked = page.get_by_test_id("stMultiSelect").filter(has=field).locator("[data-tag]")  # a picked value
    page.wait_for_selector(IDLE)
    if picked.count():
        raise RuntimeError(f"the tab opened with a region picked: {page.url}")
    for _ in range(attempts):
        page.wait_for_selector(IDLE)
        field.click()
        option = page.get_by_role("option", name=region, exact=True)
        try:
            option.wait_for(timeout=10_000)
        except Exception:  # the list closed under a rerun
            page.keyboard.press("Escape")
            continue
        started = time.perf_counter()
        option.click()
        page.keyboard.press("Escape")
        try:  # the widget shows the pick at once, or it was lost (the list redrawn under the pointer)
            picked.and_(page.get_by_label(region, exact=True)).first.wait_for(timeout=10_000)
        except Exception:
            continue
        return _painted(page, started, PICKED, ["region", region])
    raise RuntimeError(f"could not pick the region {region!r}: {page.evaluate(STATE)}")


def bench_paint(workspace: Path) -> dict:
    from playwright.sync_api import sync_playwright

    token = secrets.token_urlsafe(16)
    server = Server(workspace, workspace.with_suffix(".paint.log"), token)
    url = f"http://127.0.0.1:{server.port}"
    out: dict = {"cold_s": {}, "warm_s": {}, "filter_s": {}}
    cpu: dict[str, list[float]] = {"cold": [], "warm": [], "filter": []}
    steps: dict[str, dict[str, list[float]]] = {"cold": {}, "warm": {}}
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="insight-paint-") as profile:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", *os.environ.get("INSIGHT_PAINT_FLAGS", "").split()],
                viewport={"width": 1400, "height": 1000},
            )
            context.add_init_script(RUNS)
            context.add_cookies([{"name": "insight_token", "value": token, "domain": "127.0.0.1", "path": "/"}])
            for kind in ("cold", "warm"):
                for name in PAGES:
                    before = browser_cpu(profile)
                    seconds, phases, page = _visit(context, f"{url}/{name}")
                    out[f"{kind}_s"][name] = round(seconds, 2)
                    for phase, at in phases.items():
                        steps[kind].setdefault(phase, []).append(at)
                    cpu[kind].append(cpu_since(before, profile))
                    if kind == "warm":
                        before = browser_cpu(profile)
                        out["filter_s"][name] = round(_pick_region(page, "East"), 2)
                        cpu["filter"].append(cpu_since(before, profile))
                    page.close()
            context.close()
    finally:
        server.stop()
    for kind in ("cold_s", "warm_s", "filter_s"):
        values = list(out[kind].values())
        out[kind]["median"] = round(statistics.median(values), 2)
        out[kind]["max"] = round(max(values), 2)
    out["browser_cpu_s"] = {kind: round(statistics.median(values), 2) for kind, values in cpu.items()}
    out["phases_s"] = {
        kind: {phase: round(statistics.median(at), 2) for phase, at in phases.items()} for kind, phases in steps.items()
    }
    return out
