"""`python -m insight.serve [streamlit options]`: the app (`streamlit run app.py`) with its
report scheduler (insight/reports/runner.py) started with the server, so due schedules go out
even before anyone visits after a restart. `make run` uses it."""

from __future__ import annotations

import sys

from insight import settings


def main() -> None:
    from streamlit.web import cli

    from insight.db.workspace import open_workspace
    from insight.reports import runner

    runner.start(open_workspace())
    sys.argv = ["streamlit", "run", str(settings.PROJECT_ROOT / "app.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
