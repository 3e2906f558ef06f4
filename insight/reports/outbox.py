"""A report to its recipients, each as they see it.

A recipient who is a user (named, or whose e-mail is a user's) gets the report within their own
role and row scope; any other address and every webhook gets it as the sender (`as_user`: the
schedule's owner, or whoever sends it), so sending never widens what someone may see. E-mail
carries the PDF (or PNG) with the KPIs in the body; a webhook gets the figures as JSON.
"""

from __future__ import annotations

from html import escape

from insight.auth import users
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg
from insight.reports import deliver, document, printer
from insight.reports.deliver import Mail, Outcome

MIME = {"pdf": "application/pdf", "png": "image/png", "html": "text/html"}


def send(
    ws: Workspace,
    link: str,
    targets: tuple[str, ...],
    *,
    as_user: User,
    lang: str,
    fmt: str = "pdf",
    name: str | None = None,
    source: str = "cli",
) -> list[Outcome]:
    """Render and send the report of `link` to every target; every attempt is recorded."""
    outcomes, groups = [], {}
    for target in targets:
        try:
            user, address = _recipient(ws, target, as_user)
        except InsightError as exc:
            outcomes.append(_failed(ws, source, target, exc))
            continue
        groups.setdefault(user, []).append(address)
    for user, addresses in groups.items():
        try:
            mails = [a for a in addresses if not deliver.is_webhook(a)]
            if mails:
                deliver.smtp_settings()  # no e-mail set up: fail before printing anything
            report = document.build(ws, link, user, lang, name)
            data = printer.render(report.html(), fmt) if mails else b""
        except InsightError as exc:
            outcomes += [_failed(ws, source, a, exc) for a in addresses]
            continue
        letter, payload = mail(report, data, fmt), webhook_payload(report)
        outcomes += [deliver.send(ws, "report", source, a, mail=letter, payload=payload) for a in addresses]
    return outcomes


def failures(outcomes: list[Outcome]) -> InsightError | None:
    """One error naming every failed delivery, or None when all went out."""
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return None
    details = "; ".join(o.error or deliver.shown(o.target) for o in failed)
    return InsightError(msg("deliver.failed", count=len(failed), total=len(outcomes), details=details))


def mail(report: document.Report, data: bytes, fmt: str) -> Mail:
    """The report's e-mail: its KPIs in the body (text and HTML), the document attached."""
    rows = "".join(
        f"<tr><td>{escape(k.label)}</td><td><b>{escape(k.value)}</b></td>"
        f"<td>{escape(k.change or k.note or '')}</td></tr>"
        for k in report.kpis()
    )
    html = (
        f"<h2>{escape(report.title)}</h2><p>{escape(report.period())} · {escape(report.version())}</p>"
        f"<p>{escape(report.filters_line())}</p>"
        f'<table cellpadding="4">{rows}</table>'
        f"<p>{escape(report.t('report.link', link=report.url))}</p>"
    )
    stamp = f"{report.generated_at:%Y-%m-%d}"
    attachment = (f"{report.view.page}-{stamp}.{fmt}", data, MIME[fmt]) if data else None
    return Mail(report.subject, report.text(), html, attachment)


def webhook_payload(report: document.Report) -> dict:
    """The figures of the report as JSON: the `view --json` figures with who and when."""
    view = report.view.to_dict()
    return {
        "kind": "report",
        "title": report.subject,
        "name": report.name,
        "link": report.url,
        "as": report.user.name,
        "generated_at": report.generated_at.isoformat(timespec="seconds") + "Z",
        "page": view["page"],
        "filters": view["filters"],
        "period": view["tables"].get("period", [{}])[0],
        "kpis": view["kpis"],
        "comparison": view["comparison"],
        "notes": [str(n) for n in report.view.notes],
    }


def _recipient(ws: Workspace, target: str, as_user: User) -> tuple[User, str]:
    """(whose view, where to) of one target: a user's e-mail, a user name, or another address."""
    if deliver.is_webhook(target):
        return as_user, target
    if deliver.is_email(target):
        return users.by_email(ws, target) or as_user, target
    user = users.resolve(ws, target)
    if not user.email:
        raise InsightError(msg("deliver.no_email", name=user.name), hint=msg("deliver.no_email.hint"))
    return user, user.email


def _failed(ws: Workspace, source: str, target: str, exc: InsightError) -> Outcome:
    outcome = Outcome(target, False, str(exc))
    deliver.record(ws, "report", source, outcome)
    return outcome
