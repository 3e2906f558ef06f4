"""`python -m insight.serve [streamlit options]`: the app (`streamlit run app.py`) with its
background services started with the server, so due schedules go out and a cron import is taken
even before anyone visits after a restart, and warm: the modules the pages import are loaded and
each page's default view is computed before it listens, and again in the background whenever a
new version is published (`INSIGHT_WARM=0`: none of it), so no visitor's first paint pays for
them. `make run` uses it."""

from __future__ import annotations

import ast
import gc
import importlib
import logging
import sys
import threading

from insight import settings
from insight.db.workspace import Workspace

_LOG = logging.getLogger(__name__)
#: Seconds between two looks at the workspace version (a new one is warmed).
WATCH_S = 2.0
#: The cycle collector's thresholds while serving (Python's are 700, 10, 10). A page run allocates
#: hundreds of thousands of objects (frames, figures, widgets), so the defaults collect the young
#: generation hundreds of times a view and the whole heap (the shared caches: views, figures)
#: every few views, with every session's run waiting on it: a fifth to a third of the server's
#: Python time under load. Young cycles are now collected every 20,000 allocations and the heap
#: a thousand times less often; what is alive once the server is warm (modules, warmed views) is
#: never scanned again (`gc.freeze`).
GC_THRESHOLDS = (20_000, 20, 50)


def background(ws: Workspace, warm_up: bool = True) -> None:
    """What the serving app runs beside its pages, once per process: the listener for commands a
    CLI hands over (insight/handoff.py), the report scheduler (insight/reports/runner.py) and,
    with `warm_up`, the warm-up of each published version (`keep_warm`)."""
    from insight import handoff
    from insight.reports import runner

    if handoff.listen(ws) and warm_up and settings.warm_on():  # the first call in this process
        threading.Thread(target=keep_warm, args=(ws,), name="insight-warm", daemon=True).start()
    runner.start(ws)


def keep_warm(
    ws: Workspace, warmed: int | None = None, every: float = WATCH_S, stop: threading.Event | None = None
) -> None:
    """Warm the page cache for the version in force, then again each time a new one is published
    (an import from the Data page or handed over by the CLI), so the first views after a nightly
    import do not each compute what all of them share; until `stop` is set (never, when serving)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            version = ws.version()
        except Exception:  # the workspace is being replaced or closed: look again later
            _LOG.warning("reading the workspace version failed", exc_info=True)
            version = warmed
        if version != warmed:
            warm(ws)
            warmed = version
        stop.wait(every)


def warm(ws: Workspace) -> None:
    """Compute each page's default view for every row scope in use (the administrators' and each
    user's), into the cache the pages read (the libraries its figures need come with them), and
    read the customer days behavioural churn filters (insight/domain/spells.py)."""
    from insight import cache
    from insight.auth.access import RowScope
    from insight.domain import spells

    try:
        scopes = {RowScope.all()}
        for row in ws.query("SELECT role, scope FROM _users").itertuples():
            scopes.add(RowScope.all() if row.role == "admin" else RowScope.from_json(row.scope))
        version = ws.version()
        for rows in scopes:
            filter_values(ws, version, rows)
            for link in warm_links():
                cache.page_view(str(ws.path), version, link, rows)
        spells.warm(ws)
    except Exception:  # a warm-up that fails leaves the pages to compute on demand, as before
        _LOG.warning("warming the page cache failed", exc_info=True)


def filter_values(ws: Workspace, version: int, rows) -> None:
    """The values the filter bar offers for each dimension, into its cache (every page shows it)."""
    from insight.semantic.filters import COMPUTED_DIMENSIONS, DIMENSIONS
    from insight.ui import filterbar

    for dim in DIMENSIONS:
        if dim.key not in COMPUTED_DIMENSIONS:
            filterbar.dimension_values_of(str(ws.path), version, dim.key, rows)


def warm_links() -> tuple[str, ...]:
    """The page views a visitor opening each page with no filters asks for: the pages' default
    options as they pass them (tests/test_serve.py checks that these are the views they read)."""
    pages = ("overview", "channels", "segments", "churn", "complaints", "campaigns")  # (customer and data: no view)
    return tuple(f"{page}?" for page in pages)  # the options schema leaves defaults out of a link


def warm_libraries() -> None:
    """What the libraries load on first use, loaded before the server listens: Babel's number
    formats of each language, the emoji table Streamlit reads non-ASCII labels with (the language
    switch's 中文: 0.4 s of the first run), and the Plotly and
    narwhals parts a figure built from pandas needs, with Plotly's template (a quarter of the first
    visitor's run)."""
    import pandas as pd
    from streamlit import string_util

    from insight import chart_style, formatting, i18n
    from insight.charts.base import figure, trace

    for lang in i18n.LANGS:
        for kind in ("money", "int", "pct", "num", "hours", "days"):
            formatting.change(123456.7, 0.05, kind, lang)
    string_util.extract_leading_icon("中文")
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    chart_style.apply(figure(trace("bar", x=frame["x"], y=frame["y"], meta={"fmt": "int"})))
    chart_style.template()


def import_pages() -> None:
    """Import every module the entrypoint and the pages import, so that no visitor's first run
    pays for it (about 2 s: Streamlit, pandas, Plotly, the UI). Done before the server listens, in
    its main thread: two threads importing the same circular modules can deadlock."""
    root = settings.PROJECT_ROOT
    for script in (root / "app.py", *sorted((root / "app_pages").glob("*.py"))):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                module = importlib.import_module(node.module)
                for alias in node.names:  # `from package import module` imports the module
                    if not hasattr(module, alias.name):
                        importlib.import_module(f"{node.module}.{alias.name}")


def settle_heap() -> None:
    """Before listening: what the start-up left alive (modules, warmed views and figures) out of
    the cycle collector's sight, and its thresholds for serving (`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main() -> None:
    from streamlit.web import cli

    from insight.db.workspace import open_workspace

    if settings.warm_on():
        import_pages()
        warm_libraries()
    ws = open_workspace()
    background(ws, warm_up=False)
    if settings.warm_on():  # before it listens: the first visitors find the default views ready
        warm(ws)
        threading.Thread(target=keep_warm, args=(ws, ws.version()), name="insight-warm", daemon=True).start()
    from insight.ui import frontend

    frontend.install()  # Streamlit's front end with the chart code fetched from the page's head
    settle_heap()
    sys.argv = ["streamlit", "run", str(settings.PROJECT_ROOT / "app.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
