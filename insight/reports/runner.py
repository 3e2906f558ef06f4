"""The app's own scheduler. While the app serves a workspace it holds the DuckDB file, and no
other process can open it (not even to read), so a cron `schedule run-due` cannot run then: a
thread in the app runs the due schedules instead, and retries undelivered alerts, every
`settings.SCHEDULER_INTERVAL_S`. It leaves a heartbeat beside the workspace file, so a cron run
that finds the file held can tell that the schedules are being run (and exit quietly).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from insight import settings
from insight.db.workspace import Workspace

_STARTED: set[Path] = set()
_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)


def start(ws: Workspace) -> bool:
    """Start the scheduler thread of this workspace, once per process (False: already running,
    or turned off with INSIGHT_SCHEDULER=0)."""
    if not settings.scheduler_on():
        return False
    with _LOCK:
        if ws.path in _STARTED:
            return False
        _STARTED.add(ws.path)
    threading.Thread(target=_loop, args=(ws,), name="insight-scheduler", daemon=True).start()
    return True


def tick(ws: Workspace) -> None:
    """One round: the heartbeat, the due schedules, the undelivered alerts."""
    from insight.reports import alert_checks, schedule

    beat(ws.path)
    schedule.run_due(ws)
    alert_checks.retry(ws)


def _loop(ws: Workspace) -> None:
    while True:
        try:
            tick(ws)
        except Exception:  # the thread must outlive any one failure; each delivery is recorded
            _LOG.exception("scheduled reports: a round failed")
        time.sleep(settings.SCHEDULER_INTERVAL_S)


def heartbeat(path: Path) -> Path:
    return path.with_name(path.name + ".scheduler")


def beat(path: Path) -> None:
    heartbeat(path).write_text(json.dumps({"pid": os.getpid(), "at": time.time()}))


def serving(path: Path) -> float | None:
    """Seconds since the app's scheduler of `path` last beat, if it is alive; else None."""
    try:
        data = json.loads(heartbeat(path).read_text())
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    age = time.time() - float(data["at"])
    return age if age < 3 * settings.SCHEDULER_INTERVAL_S else None
