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
from dataclasses import dataclass, replace

import pandas as pd

from insight import formatting, i18n
from insight.auth import access, audit, users
from insight.auth.access import RowScope
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.escape import md
from insight.i18n import msg
from insight.reports import deliver
from insight.semantic import metrics
from insight.semantic.filters import Filters

BUILTIN = ("overdue", "churn_spike", "channel_shift")
OPS = ("below", "above", "up", "down")


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
        change=formatting.relative(detail["change_pct"] / 100, lang) if detail.get("change_pct") is not None else "—",
        period=f"{start} – {end}",
        filters=f"; {esc(detail['filters'])}" if detail.get("filters") else "",
    )


def describe(alert: dict, lang: str = i18n.DEFAULT_LANG, *, markdown: bool = False) -> str:
    """One built-in alert of the Overview (insight/domain/overview.py `alerts`) as a sentence; with
    `markdown=True` its values from the data are escaped for Streamlit."""
    esc = md if markdown else str
    kind = alert["kind"]
    if kind == "overdue":  # measured as of the latest ticket, not today: said so
        as_of = f"{pd.Timestamp(alert['as_of']):%Y-%m-%d %H:%M}" if alert.get("as_of") else "—"  # older events: none
        age = formatting.duration(float(alert["oldest_hours"]), lang)
        return i18n.t("alert.overdue", lang, count=formatting.count(alert["count"], lang), age=age, as_of=as_of)
    if kind == "churn_spike":
        month = esc(str(alert["month"])[:7])
        return i18n.t(
            "alert.churn_spike",
            lang,
            churned=formatting.count(alert["churned"], lang),
            month=month,
            threshold=formatting.count(alert["threshold"], lang),
        )
    return i18n.t(
        "alert.channel_shift",
        lang,
        channel=esc(alert["channel"]),
        change=formatting.points(float(alert["change_pts"]) / 100, lang),
        previous=formatting.percent(float(alert["previous"]), lang),
        current=formatting.percent(float(alert["current"]), lang),
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
