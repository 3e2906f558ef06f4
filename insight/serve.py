"""`python -m insight.serve [streamlit options]`: the app (`streamlit run app.py`) with its
background services started with the server, so due schedules go out and a cron import is taken
even before anyone visits after a restart, and warm: the modules the pages import are loaded before
it listens and each page's default view is computed in the background (`INSIGHT_WARM=0`: neither),
so the first visitor's first paint does not pay for them. `make run` uses it."""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import threading

from insight import settings
from insight.db.workspace import Workspace

_LOG = logging.getLogger(__name__)


def background(ws: Workspace) -> None:
    """What the serving app runs beside its pages, once per process: the listener for commands a
    CLI hands over (insight/handoff.py) and the report scheduler (insight/reports/runner.py)."""
    from insight import handoff
    from insight.reports import runner

    if handoff.listen(ws) and settings.warm_on():  # the first call in this process
        threading.Thread(target=warm, args=(ws,), name="insight-warm", daemon=True).start()
    runner.start(ws)


def warm(ws: Workspace) -> None:
    """Compute each page's default view for every row scope in use (the administrators' and each
    user's), into the cache the pages read (the libraries its figures need come with them)."""
    from insight import cache
    from insight.auth.access import RowScope

    try:
        scopes = {RowScope.all()}
        for row in ws.query("SELECT role, scope FROM _users").itertuples():
            scopes.add(RowScope.all() if row.role == "admin" else RowScope.from_json(row.scope))
        version = ws.version()
        for rows in scopes:
            for link in warm_links():
                cache.page_view(str(ws.path), version, link, rows)
    except Exception:  # a warm-up that fails leaves the pages to compute on demand, as before
        _LOG.warning("warming the page cache failed", exc_info=True)


def warm_links() -> tuple[str, ...]:
    """The page views a visitor opening each page with no filters asks for: the pages' default
    options as they pass them (tests/test_serve.py checks that these are the views they read)."""
    pages = ("overview", "channels", "segments", "churn", "complaints", "campaigns")  # (customer and data: no view)
    return tuple(f"{page}?" for page in pages)  # the options schema leaves defaults out of a link


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


def main() -> None:
    from streamlit.web import cli

    from insight.db.workspace import open_workspace

    if settings.warm_on():
        import_pages()
    background(open_workspace())
    sys.argv = ["streamlit", "run", str(settings.PROJECT_ROOT / "app.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
