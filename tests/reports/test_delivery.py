"""Reports by e-mail (a real local SMTP server, aiosmtpd) and webhook (a real local HTTP server):
each recipient gets the figures they may see, and every failure is recorded and reported."""

from __future__ import annotations

import json
import re

import pytest

from insight import formatting
from insight.auth import users
from insight.auth.access import RowScope
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.reports import deliver
from insight.semantic import metrics
from tests.mail_support import SmtpServer, attachment, body, self_signed
from tests.reports.test_reports import pdf_text
from tests.test_cli import cli as run

LINK = "overview?from=2026-01-01&to=2026-06-30"


@pytest.fixture
def team_file(demo_ws):
    users.add(demo_ws, "eve", "viewer", "a-long-password", RowScope.parse(["region=East"]), "eve@example.com")
    users.add(demo_ws, "nat", "viewer", "a-long-password", RowScope.parse(["region=North"]), "nat@example.com")
    path = demo_ws.path
    demo_ws.close()
    return path


def test_each_recipient_gets_the_pdf_of_what_they_may_see(team_file, smtp, tmp_path):
    out = run(
        "report", LINK, "--to", "eve@example.com", "--to", "nat", "--to", "boss@example.com", "--json",
        workspace=team_file, env=smtp.env(INSIGHT_SMTP_FROM="insight@example.com", INSIGHT_BASE_URL="https://bi.example.com/"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert [s["ok"] for s in json.loads(out.stdout)["sent"]] == [True, True, True]
    views = {}
    for address, user in (("eve@example.com", "eve"), ("nat@example.com", "nat"), ("boss@example.com", None)):
        (message,) = smtp.inbox.to(address)
        assert message["From"] == "insight@example.com" and "Overview" in message["Subject"]
        view = json.loads(run("view", LINK, *(["--as", user] if user else []), "--json", workspace=team_file).stdout)
        views[user] = view
        text = body(message)
        assert f"Open in the app: https://bi.example.com/{LINK}" in text
        for mid, value in view["kpis"].items():
            m = metrics.REGISTRY[mid]
            assert f"{formatting.value(value, m.fmt)}" in text, (address, mid)
        name, data = attachment(message)
        assert name.startswith("overview-") and name.endswith(".pdf") and data[:5] == b"%PDF-"
        (tmp_path / name).write_bytes(data)
        printed = pdf_text(tmp_path / name)
        assert formatting.value(view["kpis"]["revenue"], "money") in printed
        assert (f"As seen by {user}" if user else "As seen by owner") in printed
    assert views["eve"]["kpis"]["revenue"] != views["nat"]["kpis"]["revenue"]  # two scopes, two reports


def test_starttls_with_login(tmp_path, team_file, monkeypatch):
    context, cert = self_signed(tmp_path)
    server = SmtpServer(user="mailer", password="s3cret-pass", tls=context)
    try:
        env = server.env(
            INSIGHT_SMTP_TLS="starttls", INSIGHT_SMTP_USER="mailer", INSIGHT_SMTP_PASSWORD="s3cret-pass",
            INSIGHT_SMTP_CAFILE=str(cert),
        )  # fmt: skip
        out = run("report", "complaints", "--to", "ops@example.com", "--lang", "zh", workspace=team_file, env=env)
        assert out.returncode == 0, out.stderr
        (message,) = server.inbox.to("ops@example.com")
        assert "投诉与服务" in message["Subject"] and "投诉量" in body(message)
        for key, value in {**env, "INSIGHT_SMTP_PASSWORD": "wrong"}.items():
            monkeypatch.setenv(key, value)
        with pytest.raises(InsightError, match="e-mail to ops@example.com failed"):
            deliver.send_mail("ops@example.com", deliver.Mail("subject", "body"))
        monkeypatch.delenv("INSIGHT_SMTP_CAFILE")  # the server's certificate is not trusted then
        monkeypatch.setenv("INSIGHT_SMTP_PASSWORD", "s3cret-pass")
        with pytest.raises(InsightError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            deliver.send_mail("ops@example.com", deliver.Mail("subject", "body"))
    finally:
        server.stop()


def test_a_webhook_gets_the_figures_of_view_json(team_file, hooks):
    out = run("report", LINK, "--to", f"{hooks.url}/ok/secret-token", "--as", "eve", workspace=team_file)
    assert out.returncode == 0, out.stderr
    ((path, payload),) = hooks.received
    view = json.loads(run("view", LINK, "--as", "eve", "--json", workspace=team_file).stdout)
    assert path == "/ok/secret-token" and payload["kind"] == "report" and payload["as"] == "eve"
    assert payload["kpis"] == view["kpis"] and payload["comparison"] == view["comparison"]
    assert payload["period"]["from"] == "2026-01-01"


def test_failed_deliveries_are_recorded_and_reported(team_file, hooks):
    closed = SmtpServer()
    env = closed.env()
    closed.stop()  # nothing listens there now
    out = run(
        "report", LINK, "--to", "a@example.com", "--to", f"{hooks.url}/broken/secret", "--to", "eve",
        workspace=team_file, env=env,
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "3 of 3 deliveries failed" in out.stderr and "HTTP 500" in out.stderr
    assert "secret" not in out.stderr  # a webhook's path is not shown
    nomail = run("report", LINK, "--to", "a@example.com", workspace=team_file, env={"INSIGHT_SMTP_HOST": ""})
    assert nomail.returncode == 2 and "e-mail is not set up" in nomail.stderr
    ws = Workspace(team_file)
    logged = deliver.recent(ws)
    ws.close()
    assert len(logged) == 4 and not logged["ok"].any()
    assert set(logged["target"]) == {"a@example.com", f"{hooks.url}/…", "eve@example.com"}
    assert logged["error"].str.contains("failed|not set up").all()


@pytest.mark.parametrize(
    "target", ["not an address", "ann@", "@example.com", "ftp://example.com/x", "a@b", "a b@example.com", ""]
)
def test_bad_targets_are_refused(target):
    with pytest.raises(InsightError, match="neither an e-mail address|say where"):
        deliver.check_targets([target])


def test_webhook_targets_are_shown_without_their_path():
    assert deliver.shown("https://user:pw@hooks.example.com/services/T0/B0/XYZ") == "https://hooks.example.com/…"
    assert deliver.shown("ann@example.com") == "ann@example.com"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/…", deliver.shown("http://127.0.0.1:8080/ok?k=v"))
