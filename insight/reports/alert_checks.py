"""Checking alert rules: evaluate each as its owner sees the data, open and clear occurrences,
and deliver each new occurrence once (insight/reports/alerts.py says what a rule and an occurrence are).

Run after every import (the CLI's `import` and the Data page), by `python -m insight alerts
check`, and (retries of undelivered occurrences) by the app's scheduler thread.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

import pandas as pd

from insight import i18n, settings
from insight.auth import audit, users
from insight.auth.access import RowScope
from insight.db.workspace import Workspace
from insight.domain import complaints, overview
from insight.errors import InsightError
from insight.reports import deliver
from insight.reports.alerts import Rule, event_text, rules
from insight.reports.deliver import Mail, Outcome
from insight.semantic import metrics
from insight.semantic.filters import TIME_COLUMNS, Filters
from insight.semantic.scope import Scope
from insight.views.views import kpis, page_view


#: Metrics read from their page's KPI cards (the churn rate under the definition in force, the
#: segment, campaign and churn-page figures); the others are computed from the registry.
def _page(m: metrics.Metric) -> str | None:
    if m.table == "segments":
        return "segments"
    if m.compute:
        return "campaigns" if m.table == "contacts" else "churn"
    return None


PAGE_OF = {m.id: page for m in metrics.REGISTRY.values() if (page := _page(m))}


@dataclass(frozen=True)
class Finding:
    key: str  # `subject|when`: the subject (a channel, or "") and the data it was found in
    value: float | None
    detail: dict

    @property
    def subject(self) -> str:
        return self.key.split("|", 1)[0]


@dataclass
class Checked:
    opened: list[dict] = field(default_factory=list)
    cleared: int = 0
    deliveries: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "opened": self.opened,
            "cleared": self.cleared,
            "delivered": sum(o.ok for o in self.deliveries),
            "failed": [{"target": deliver.shown(o.target), "error": o.error} for o in self.deliveries if not o.ok],
            "errors": self.errors,
        }


def evaluate(ws: Workspace, rule: Rule) -> list[Finding]:
    """What `rule` finds now, as its owner sees the data: one finding per firing subject."""
    owner = users.named(ws, rule.owner)
    filters, _ = Filters.from_query(rule.query)
    if rule.kind != "metric":
        scope = Scope.open(ws, filters, rows=owner.rows)
        overdue = complaints.overdue(scope, tiers=False) if rule.kind == "overdue" else None
        moved = overview.what_moved(scope, ("revenue",), ("channel",)) if rule.kind == "channel_shift" else {}
        found = [a for a in overview.alerts(scope, moved, overdue) if a["kind"] == rule.kind]
        when = scope.period[1].isoformat() if scope.period else ""
        value = {"overdue": "count", "churn_spike": "churned", "channel_shift": "change_pts"}[rule.kind]
        return [Finding(f"{a.get('channel', '')}|{a.get('month', when)}", _num(a[value]), a) for a in found]
    filters = _window(ws, rule, filters, owner.rows)
    page = PAGE_OF.get(rule.metric)
    if page:
        card = page_view(ws, f"{page}?{filters.to_query()}", owner.rows).kpis.get(rule.metric)
    else:
        card = kpis(Scope.open(ws, filters, rows=owner.rows), (rule.metric,))[rule.metric]
    if card is None or not card.available or card.value is None:
        return []
    change = None if card.change_pct is None else card.change_pct * 100
    firing = {
        "below": card.value < rule.threshold,
        "above": card.value > rule.threshold,
        "up": change is not None and change >= rule.threshold,
        "down": change is not None and change <= -rule.threshold,
    }[rule.op]
    if not firing:
        return []
    period = [d.isoformat() if d else None for d in (filters.start, filters.end)]
    detail = {"kind": "metric", "value": card.value, "previous": card.previous, "change_pct": change,
              "period": period, "filters": rule.query}  # fmt: skip
    return [Finding(f"|{period[0]}..{period[1]}", card.value, detail)]


def _window(ws: Workspace, rule: Rule, filters: Filters, rows: RowScope) -> Filters:
    """The rule's filters with its period: the link's, else the last `days` of its data."""
    if filters.start or filters.end:
        return filters
    scope = Scope.open(ws, replace(filters, dims=()), rows=rows)
    table = metrics.source_table(rule.metric)
    if PAGE_OF.get(rule.metric) in ("segments", "churn"):  # measured from the orders
        table = "orders"
    end = scope.data_end
    if scope.has(table, TIME_COLUMNS[table]):
        found = scope.scalar(f"SELECT max({TIME_COLUMNS[table]}) FROM {scope.table(table)}")
        end = pd.Timestamp(found).date() if found is not None else end
    if end is None:
        return filters
    days = rule.days or settings.ALERT_DAYS
    return replace(filters, start=end - dt.timedelta(days=days - 1), end=end)


def check(ws: Workspace, now: dt.datetime | None = None) -> Checked:
    """Evaluate every rule, open and clear occurrences, and deliver what is new (and what is
    still undelivered). A rule that cannot be evaluated is reported, the others still run."""
    now = now or audit.now()
    result = Checked()
    for rule in rules(ws):
        try:
            found = evaluate(ws, rule)
        except InsightError as exc:
            result.errors.append(f"{rule.name}: {exc}")
            continue
        result.cleared += _clear(ws, rule, {f.subject for f in found}, now)
        for finding in found:
            opened = _open(ws, rule, finding, now)
            if opened is not None:
                result.opened.append({"rule": rule.name, "id": opened, "value": finding.value})
    result.deliveries += retry(ws, now)
    return result


def after_import(ws: Workspace) -> Checked:
    """The check that follows an import (CLI and Data page); the import stands either way."""
    return check(ws)


def retry(ws: Workspace, now: dt.datetime | None = None) -> list[Outcome]:
    """Deliver the open occurrences not yet delivered, of rules that are not muted."""
    now = now or audit.now()
    by_name = {r.name: r for r in rules(ws)}
    pending = ws.query(
        "SELECT * FROM _alert_events WHERE state = 'open' AND NOT delivered AND attempts < ? ORDER BY id",
        [settings.ALERT_ATTEMPTS],
    ).to_dict("records")
    out = []
    for event in pending:
        rule = by_name.get(event["rule"])
        if rule is None or rule.muted(now):
            continue
        outcomes = [_send(ws, rule, event, t) for t in rule.targets]
        with ws.writer() as cur:
            cur.execute(
                "UPDATE _alert_events SET delivered = ?, attempts = attempts + 1 WHERE id = ?",
                [all(o.ok for o in outcomes), event["id"]],
            )
        out += outcomes
    return out


def _open(ws: Workspace, rule: Rule, finding: Finding, now: dt.datetime) -> int | None:
    """Record a firing finding: a new occurrence (its id), or None when one is open already or
    this very occurrence was resolved."""
    detail = json.dumps(finding.detail, default=str)
    with ws.writer() as cur:
        current = cur.execute(
            'SELECT id, state, "key" FROM _alert_events WHERE rule = ? AND split_part("key", \'|\', 1) = ? '
            "AND (state = 'open' OR \"key\" = ?) ORDER BY id DESC LIMIT 1",
            [rule.name, finding.subject, finding.key],
        ).fetchone()
        if current is not None and current[1] == "open":
            cur.execute(
                'UPDATE _alert_events SET seen_at = ?, value = ?, detail = ?, "key" = ? WHERE id = ?',
                [now, finding.value, detail, finding.key, current[0]],
            )
            return None
        if current is not None:  # resolved (or cleared) with the same data: not again
            return None
        return cur.execute(
            'INSERT INTO _alert_events (rule, "key", state, opened_at, seen_at, value, detail, delivered) '
            "VALUES (?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id",
            [rule.name, finding.key, now, now, finding.value, detail, not rule.targets],
        ).fetchone()[0]


def _clear(ws: Workspace, rule: Rule, firing: set[str], now: dt.datetime) -> int:
    with ws.writer() as cur:
        open_ = cur.execute(
            "SELECT id, split_part(\"key\", '|', 1) FROM _alert_events WHERE rule = ? AND state = 'open'", [rule.name]
        ).fetchall()
        stale = [i for i, subject in open_ if subject not in firing]
        for event_id in stale:
            cur.execute(
                "UPDATE _alert_events SET state = 'cleared', closed_at = ?, closed_by = 'check' WHERE id = ?",
                [now, event_id],
            )
    return len(stale)


def _send(ws: Workspace, rule: Rule, event: dict, target: str) -> Outcome:
    detail = json.loads(event["detail"]) if isinstance(event["detail"], str) else event["detail"]
    text = event_text(rule, detail, rule.lang)
    subject = i18n.t("alerts.subject", rule.lang, text=text[:120])
    mail = Mail(subject, "\n".join([text, i18n.t("alerts.mail.footer", rule.lang, name=rule.name, owner=rule.owner)]))
    payload = {"kind": "alert", "rule": rule.name, "type": rule.kind, "metric": rule.metric, "op": rule.op,
               "threshold": rule.threshold, "value": event["value"], "text": text, "detail": detail,
               "owner": rule.owner, "opened_at": f"{pd.Timestamp(event['opened_at']):%Y-%m-%dT%H:%M:%S}Z"}  # fmt: skip
    return deliver.send(ws, "alert", f"alert:{rule.name}", target, mail=mail, payload=payload)


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
