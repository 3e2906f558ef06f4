"""`python -m insight.serve [streamlit options]`: the app (`streamlit run app.py`) with its
background services started with the server, so due schedules go out and a cron import is taken
even before anyone visits after a restart. `make run` uses it."""

from __future__ import annotations

import sys

from insight import settings
from insight.db.workspace import Workspace


def background(ws: Workspace) -> None:
    """What the serving app runs beside its pages, once per process: the listener for commands a
    CLI hands over (insight/handoff.py) and the report scheduler (insight/reports/runner.py)."""
    from insight import handoff
    from insight.reports import runner

    handoff.listen(ws)
    runner.start(ws)


def main() -> None:
    from streamlit.web import cli

    from insight.db.workspace import open_workspace

    background(open_workspace())
    sys.argv = ["streamlit", "run", str(settings.PROJECT_ROOT / "app.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
