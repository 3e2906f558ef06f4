"""Alerts: rules on any registry metric (below / above a threshold, or a change against the
comparison period beyond N %), and the Overview's built-in ones (overdue work orders, a churn
spike, a channel's revenue share shifting), checked after every import and by
`python -m insight alerts check`.

A rule runs as its owner, within the owner's row scope, on the filters of its link; without a
period in the link a metric rule looks at the last N days of its data (`days`). Each time a rule
starts to fire it opens an *occurrence*, which is delivered once (e-mail or webhook) and stays
open while the rule keeps firing; it clears by itself when the rule stops firing, or someone
resolves it (the same occurrence never reopens; new data that still breaches opens a new one).
A muted rule is still checked and shown, not delivered. Every delivery attempt is recorded; an
undelivered occurrence is tried again at the next checks (`settings.ALERT_ATTEMPTS`).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field, replace

import pandas as pd

from insight import access, audit, complaints, formatting, i18n, metrics, overview, settings, users
from insight.access import RowScope
from insight.errors import InsightError
from insight.escape import md
from insight.filters import TIME_COLUMNS, Filters
from insight.i18n import msg
from insight.reports import deliver
from insight.reports.deliver import Mail, Outcome
from insight.scope import Scope
from insight.users import User
from insight.views import kpis, page_view
from insight.workspace import Workspace

BUILTIN = ("overdue", "churn_spike", "channel_shift")
OPS = ("below", "above", "up", "down")
#: Metrics read from their page's KPI cards (the churn rate under the definition in force, the
#: segment, campaign and churn-page figures); the others are computed from the registry.
PAGE_OF = {"churn_rate": "churn", **{m.id: m.derived for m in metrics.REGISTRY.values() if m.derived}}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # metric | overdue | churn_spike | channel_shift
    owner: str
    query: str = ""
    metric: str | None = None
    op: str | None = None
    threshold: float | None = None  # the metric's unit (a rate as a fraction); up/down: percent
    days: int | None = None
    targets: tuple[str, ...] = ()
    lang: str = i18n.DEFAULT_LANG
    muted_until: dt.datetime | None = None
    created_at: dt.datetime | None = None

    def muted(self, now: dt.datetime) -> bool:
        return self.muted_until is not None and self.muted_until > now


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


# --- rules ------------------------------------------------------------------------------------


def add(
    ws: Workspace,
    user: User,
    name: str,
    *,
    metric: str | None = None,
    op: str | None = None,
    threshold: str | float | None = None,
    builtin: str | None = None,
    query: str = "",
    days: int | None = None,
    targets: tuple[str, ...] | list[str] = (),
    lang: str = i18n.DEFAULT_LANG,
) -> Rule:
    """A new rule owned by `user` (analysts and up)."""
    if not access.can(user.role, "save_views"):
        raise InsightError(msg("saved.denied", role=user.role))
    name = (name or "").strip()
    if not name or len(name) > 80 or any(unicodedata.category(c).startswith("C") for c in name):
        raise InsightError(msg("alerts.bad_name", name=name))
    if builtin is not None:
        if builtin not in BUILTIN:
            raise InsightError(msg("alerts.bad_builtin", kind=builtin, choices=", ".join(BUILTIN)))
        rule = Rule(name, builtin, user.name)
    else:
        if metric not in metrics.REGISTRY:
            raise InsightError(msg("alerts.bad_metric", metric=metric), hint=msg("alerts.metrics", ids=_ids()))
        if op not in OPS or threshold is None:
            raise InsightError(msg("alerts.bad_op", choices=", ".join(f"--{o}" for o in OPS)))
        rule = Rule(name, "metric", user.name, metric=metric, op=op, threshold=parse_threshold(threshold, op))
    if days is not None and not 1 <= days <= 3650:
        raise InsightError(msg("alerts.bad_days", days=days))
    filters, notes = Filters.from_query(query)
    if notes:
        raise InsightError(msg("alerts.bad_filter", detail="; ".join(str(n) for n in notes)))
    checked = deliver.check_targets(targets) if targets else ()
    rule = replace(rule, query=filters.to_query(), days=days, targets=checked, lang=lang, created_at=audit.now())
    with ws.writer() as cur:
        if cur.execute("SELECT count(*) FROM _alert_rules WHERE name = ?", [name]).fetchone()[0]:
            raise InsightError(msg("alerts.exists", name=name))
        cur.execute(
            "INSERT INTO _alert_rules (name, kind, metric, op, threshold, query, days, owner, targets, lang, "
            "muted_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [name, rule.kind, rule.metric, rule.op, rule.threshold, rule.query, days, user.name,
             json.dumps(list(checked)), rule.lang, rule.created_at],
        )  # fmt: skip
    return rule


def parse_threshold(raw: str | float, op: str) -> float:
    """A threshold as typed: `90%` is 0.9 of a rate; a change (`up`, `down`) is in percent."""
    text = str(raw).strip().replace(",", "")
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        raise InsightError(msg("alerts.bad_threshold", value=str(raw))) from None
    if op in ("up", "down"):
        return abs(value)
    return value / 100 if percent else value


def rules(ws: Workspace) -> list[Rule]:
    rows = ws.query("SELECT * FROM _alert_rules ORDER BY name").to_dict("records")
    return [
        Rule(
            r["name"],
            r["kind"],
            r["owner"],
            r["query"],
            r["metric"],
            r["op"],
            _num(r["threshold"]),
            None if pd.isna(r["days"]) else int(r["days"]),
            tuple(json.loads(r["targets"])),
            r["lang"],
            _ts(r["muted_until"]),
            _ts(r["created_at"]),
        )  # fmt: skip
        for r in rows
    ]


def get(ws: Workspace, name: str) -> Rule:
    found = [r for r in rules(ws) if r.name == name]
    if not found:
        raise InsightError(msg("alerts.unknown", name=name), hint=msg("alerts.unknown.hint"))
    return found[0]


def remove(ws: Workspace, user: User, name: str) -> None:
    rule = _mine(ws, user, name)
    with ws.writer() as cur:
        cur.execute("DELETE FROM _alert_rules WHERE name = ?", [rule.name])
        cur.execute("UPDATE _alert_events SET state = 'cleared', closed_at = ? WHERE rule = ? AND state = 'open'",
                    [audit.now(), rule.name])  # fmt: skip


def mute(ws: Workspace, user: User, name: str, until: dt.datetime | None) -> None:
    """Mute a rule until `until` (None: unmute). Muted rules are checked and shown, not sent."""
    rule = _mine(ws, user, name)
    with ws.writer() as cur:
        cur.execute("UPDATE _alert_rules SET muted_until = ? WHERE name = ?", [until, rule.name])


def resolve(ws: Workspace, user: User, name: str) -> int:
    """Close the rule's open occurrences (they do not reopen for the same data)."""
    rule = _mine(ws, user, name)
    with ws.writer() as cur:
        closed = cur.execute(
            "UPDATE _alert_events SET state = 'resolved', closed_at = ?, closed_by = ? "
            "WHERE rule = ? AND state = 'open' RETURNING id",
            [audit.now(), user.name, rule.name],
        ).fetchall()
    return len(closed)


def may_manage(user: User, rule_owner: str) -> bool:
    return access.can(user.role, "save_views") and (user.name == rule_owner or access.can(user.role, "settings"))


def _mine(ws: Workspace, user: User, name: str) -> Rule:
    rule = get(ws, name)
    if not may_manage(user, rule.owner):
        raise InsightError(msg("alerts.not_yours", name=name))
    return rule


# --- evaluation -------------------------------------------------------------------------------


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
              "period": period, "filters": filters.to_query()}  # fmt: skip
    return [Finding(f"|{period[0]}..{period[1]}", card.value, detail)]


def _window(ws: Workspace, rule: Rule, filters: Filters, rows: RowScope) -> Filters:
    """The rule's filters with its period: the link's, else the last `days` of its data."""
    if filters.start or filters.end:
        return filters
    scope = Scope.open(ws, replace(filters, dims=()), rows=rows)
    m = metrics.REGISTRY[rule.metric]
    table = m.table or (metrics.REGISTRY[m.ratio[0]].table if m.ratio else None)
    table = table or {"campaigns": "contacts"}.get(m.derived, "orders")
    end = scope.data_end
    if scope.has(table, TIME_COLUMNS[table]):
        found = scope.scalar(f"SELECT max({TIME_COLUMNS[table]}) FROM {scope.table(table)}")
        end = pd.Timestamp(found).date() if found is not None else end
    if end is None:
        return filters
    days = rule.days or settings.ALERT_DAYS
    return replace(filters, start=end - dt.timedelta(days=days - 1), end=end)


# --- checking ---------------------------------------------------------------------------------


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


# --- showing ----------------------------------------------------------------------------------


def event_text(rule: Rule, detail: dict, lang: str = i18n.DEFAULT_LANG, *, markdown: bool = False) -> str:
    """An occurrence as a sentence in `lang` (values from the data escaped with `markdown`)."""
    if detail.get("kind") != "metric":
        return describe(detail, lang, markdown=markdown)
    esc = md if markdown else str
    m = metrics.REGISTRY[rule.metric]
    fmt = lambda v: formatting.value(v, m.fmt, lang)  # noqa: E731
    start, end = detail.get("period") or (None, None)
    return i18n.t(
        f"alerts.rule.{rule.op}",
        lang,
        name=esc(rule.name),
        metric=i18n.t(m.label, lang),
        value=fmt(detail.get("value")),
        threshold=f"{rule.threshold:g}%" if rule.op in ("up", "down") else fmt(rule.threshold),
        change=f"{detail['change_pct']:+.1f}%" if detail.get("change_pct") is not None else "—",
        period=f"{start} – {end}",
        filters=esc(detail.get("filters") or "—"),
    )


def describe(alert: dict, lang: str = i18n.DEFAULT_LANG, *, markdown: bool = False) -> str:
    """One built-in alert of the Overview (insight/overview.py `alerts`) as a sentence; with
    `markdown=True` its values from the data are escaped for Streamlit."""
    esc = md if markdown else str
    kind = alert["kind"]
    if kind == "overdue":
        return i18n.t("alert.overdue", lang, count=int(alert["count"]), hours=float(alert["oldest_hours"]))
    if kind == "churn_spike":
        month = esc(str(alert["month"])[:7])
        return i18n.t(
            "alert.churn_spike", lang, churned=int(alert["churned"]), month=month, threshold=float(alert["threshold"])
        )
    return i18n.t(
        "alert.channel_shift",
        lang,
        channel=esc(alert["channel"]),
        change=float(alert["change_pts"]),
        previous=float(alert["previous"]),
        current=float(alert["current"]),
    )


def events(ws: Workspace, viewer: User | None = None, *, open_only: bool = True, limit: int = 200) -> pd.DataFrame:
    """Occurrences, newest first, with their rule; for `viewer`, only rules whose owner's rows
    the viewer may see all of (an alert never shows figures beyond a reader's scope)."""
    state = "e.state = 'open'" if open_only else "true"
    found = ws.query(
        f"SELECT e.id, e.rule, e.state, e.opened_at, e.seen_at, e.closed_at, e.closed_by, e.value, e.detail, "
        f"e.delivered, e.attempts, r.owner, r.muted_until FROM _alert_events e JOIN _alert_rules r ON r.name = e.rule "
        f"WHERE {state} ORDER BY e.id DESC LIMIT {int(limit)}"
    )
    if viewer is not None and len(found):
        owners = {name: users.named(ws, name).rows for name in found["owner"].unique() if _exists(ws, name)}
        found = found[[o in owners and covers(viewer.rows, owners[o]) for o in found["owner"]]]
    return found.reset_index(drop=True)


def covers(outer: RowScope, inner: RowScope) -> bool:
    """Whether every row `inner` allows is a row `outer` allows."""
    if outer.everything:
        return True
    if inner.everything:
        return False
    limits = dict(inner.rules)
    return all(dim in limits and set(limits[dim]) <= set(values) for dim, values in outer.rules)


def rules_table(ws: Workspace) -> pd.DataFrame:
    rows = [
        {
            "name": r.name,
            "kind": r.kind,
            "metric": r.metric,
            "condition": f"{r.op} {r.threshold:g}" if r.op else "",
            "filters": r.query,
            "days": r.days,
            "owner": r.owner,
            "targets": ", ".join(deliver.shown(t) for t in r.targets),
            "muted_until": r.muted_until,
        }
        for r in rules(ws)
    ]
    cols = ["name", "kind", "metric", "condition", "filters", "days", "owner", "targets", "muted_until"]
    return pd.DataFrame(rows, columns=cols)


def _exists(ws: Workspace, name: str) -> bool:
    return name == users.OWNER.name or users.get(ws, name) is not None


def _ids() -> str:
    return ", ".join(metrics.REGISTRY)


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _ts(v) -> dt.datetime | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()
