"""The serving app runs the due schedules itself, from
the moment the server starts (`python -m insight.serve`, what `make run` runs)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time

import pytest

from insight.auth.users import OWNER
from insight.db.workspace import Workspace
from insight.reports import saved, schedule
from tests.browser_support import Server
from tests.mail_support import SmtpServer, attachment
from tests.test_cli import cli as run

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_serving_app_sends_due_reports_without_a_visit(demo_file, tmp_path):
    path = tmp_path / "ws.duckdb"
    shutil.copy(demo_file, path)
    ws = Workspace(path)
    saved.save(ws, OWNER, "daily overview", "overview?cmp=yoy", shared=True)
    schedule.add(ws, OWNER, "morning", "daily overview", ["boss@example.com"], "daily", at="00:00")
    with ws.writer() as cur:  # made two days ago: today's 00:00 UTC occurrence is due
        cur.execute(
            "UPDATE _schedules SET created_at = ?",
            [dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)],
        )
    ws.close()
    smtp = SmtpServer()
    env = {**smtp.env(), "INSIGHT_SCHEDULER": "1", "INSIGHT_TIMEZONE": "UTC"}
    server = Server(path, tmp_path / "streamlit.log", env=env, entry=("insight.serve",))
    try:
        deadline = time.monotonic() + 240
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(1)
        (message,) = smtp.inbox.to("boss@example.com")
        assert attachment(message)[1][:5] == b"%PDF-" and "daily overview" in message["Subject"]
        # cron's run-due is handed to the app (insight/handoff.py): the occurrence already went out
        cron = run("schedule", "run-due", "--json", workspace=path, env={"INSIGHT_TIMEZONE": "UTC"})
        assert cron.returncode == 0, cron.stderr
        assert json.loads(cron.stdout) == {"ran": []}
    finally:
        server.stop()
        smtp.stop()
    ws = Workspace(path)
    listed = schedule.table(ws).iloc[0]
    ws.close()
    assert listed["ok"] and len(smtp.inbox.messages) == 1
