"""Delivery of reports and alerts: e-mail through SMTP (settings from the environment), or a JSON
POST to a webhook. Every attempt is recorded in the workspace (`_deliveries`), failures with
their reason, and shown on the Administration page, in `schedule list` and under the Overview's
alerts: a delivery never fails silently.
"""

from __future__ import annotations

import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import pandas as pd

from insight import settings
from insight.auth import audit
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
KINDS = ("report", "alert")


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str | None = None
    attachment: tuple[str, bytes, str] | None = None  # (file name, bytes, MIME type)


@dataclass(frozen=True)
class Outcome:
    target: str
    ok: bool
    error: str | None = None


def is_webhook(target: str) -> bool:
    return target.startswith(("https://", "http://"))


def is_email(target: str) -> bool:
    return bool(_EMAIL.match(target))


def shown(target: str) -> str:
    """A target as lists and logs show it: a webhook's path often holds its secret (as Slack's
    and WeCom's do), so only the scheme and host are shown."""
    if not is_webhook(target):
        return target
    scheme, _, rest = target.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].rpartition('@')[2]}/…"


def check_targets(targets: list[str] | tuple[str, ...], *, users_too: bool = False) -> tuple[str, ...]:
    """The targets, each an e-mail address or an http(s) URL (or, with `users_too`, a user
    name: the report goes to that user's e-mail, as that user sees it)."""
    out = []
    for raw in targets:
        target = raw.strip()
        if not (is_email(target) or is_webhook(target) or (users_too and target and " " not in target)):
            raise InsightError(msg("deliver.bad_target", target=target), hint=msg("deliver.bad_target.hint"))
        out.append(target)
    if not out:
        raise InsightError(msg("deliver.no_targets"))
    return tuple(dict.fromkeys(out))


def send(ws: Workspace, kind: str, source: str, target: str, *, mail: Mail, payload: dict) -> Outcome:
    """Send to one target (e-mail: `mail`; webhook: `payload` as JSON) and record the attempt."""
    try:
        if is_webhook(target):
            post_json(target, payload)
        else:
            send_mail(target, mail)
        outcome = Outcome(target, True)
    except InsightError as exc:
        outcome = Outcome(target, False, str(exc))
    record(ws, kind, source, outcome)
    return outcome


def record(ws: Workspace, kind: str, source: str, outcome: Outcome) -> None:
    if kind not in KINDS:
        raise AssertionError(kind)
    with ws.writer() as cur:
        cur.execute(
            'INSERT INTO _deliveries ("at", kind, source, target, ok, error) VALUES (?, ?, ?, ?, ?, ?)',
            [audit.now(), kind, source, shown(outcome.target), outcome.ok, outcome.error],
        )


def recent(ws: Workspace, *, source: str | None = None, failed: bool = False, limit: int = 200) -> pd.DataFrame:
    """Delivery attempts, newest first (of one schedule or rule: `source`; failures only)."""
    clauses, params = [], []
    if source:
        clauses.append("source = ?")
        params.append(source)
    if failed:
        clauses.append("NOT ok")
    where = " AND ".join(clauses) or "true"
    return ws.query(
        f'SELECT "at", kind, source, target, ok, error FROM _deliveries WHERE {where} ORDER BY id DESC '
        f"LIMIT {int(limit)}",
        params,
    )


def send_mail(to: str, mail: Mail) -> None:
    """One message to one address through the SMTP server of the settings."""
    conf = smtp_settings()
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = mail.subject, conf["from"], to
    message["Message-ID"] = make_msgid(domain=str(conf["from"]).rpartition("@")[2] or None)
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    if mail.attachment:
        name, data, mime = mail.attachment
        major, _, minor = mime.partition("/")
        message.add_attachment(data, maintype=major, subtype=minor, filename=name)
    context = ssl.create_default_context(cafile=conf["cafile"]) if conf["tls"] != "none" else None
    timeout = settings.DELIVERY_TIMEOUT_S
    try:
        if conf["tls"] == "ssl":
            server = smtplib.SMTP_SSL(conf["host"], conf["port"], timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(conf["host"], conf["port"], timeout=timeout)
        with server:
            if conf["tls"] == "starttls":
                server.starttls(context=context)
            if conf["user"]:
                server.login(conf["user"], conf["password"] or "")
            server.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise InsightError(msg("deliver.mail_failed", target=to, detail=_reason(exc))) from None


def smtp_settings() -> dict:
    """The SMTP settings in force; an error a person can act on when e-mail is not set up."""
    try:
        conf = settings.smtp()
    except ValueError:
        raise InsightError(msg("deliver.bad_smtp"), hint=msg("deliver.no_smtp.hint")) from None
    if not conf["host"]:
        raise InsightError(msg("deliver.no_smtp"), hint=msg("deliver.no_smtp.hint"))
    if conf["tls"] not in ("starttls", "ssl", "none"):
        raise InsightError(msg("deliver.bad_smtp"), hint=msg("deliver.no_smtp.hint"))
    return conf


def post_json(url: str, payload: dict) -> None:
    """POST `payload` as JSON; anything but a 2xx answer is a failure."""
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.DELIVERY_TIMEOUT_S) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise InsightError(msg("deliver.webhook_failed", target=shown(url), detail=_reason(exc))) from None
    if not 200 <= status < 300:
        raise InsightError(msg("deliver.webhook_failed", target=shown(url), detail=f"HTTP {status}"))


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if reason is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
