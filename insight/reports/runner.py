"""The app's own scheduler: a thread in the serving app runs the due schedules and retries
undelivered alerts every `settings.SCHEDULER_INTERVAL_S`, so reports go out with no cron at all.
A cron `schedule run-due` while the app serves is handed to the app (insight/handoff.py); both
claim each occurrence in one transaction, so it is sent once.
"""

from __future__ import annotations

import logging
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
    """One round: the due schedules, the undelivered alerts."""
    from insight.reports import alert_checks, schedule

    schedule.run_due(ws)
    alert_checks.retry(ws)


def _loop(ws: Workspace) -> None:
    while True:
        try:
            tick(ws)
        except Exception:  # the thread must outlive any one failure; each delivery is recorded
            _LOG.exception("scheduled reports: a round failed")
        time.sleep(settings.SCHEDULER_INTERVAL_S)
