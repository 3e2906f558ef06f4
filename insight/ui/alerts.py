"""The Overview's alert panel beyond the built-in alerts: the open occurrences of alert rules the
reader may see (with Resolve and Mute for their owner), failed deliveries, and a form that
makes a rule on the filters in force (analysts and up)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from insight.escape import md
from insight.reports import alert_checks, alerts, deliver
from insight.semantic import metrics
from insight.semantic.filters import Filters
from insight.ui.shell import Context, guard, tr

#: Metrics a rule can watch from the app (every registry metric; the CLI takes the same ids).
RULE_METRICS = tuple(metrics.REGISTRY)
MUTE_DAYS = 7


def rule_alerts(ctx: Context) -> None:
    rules, events = _open_alerts(ctx)
    for event in events:
        rule = rules.get(event["rule"])
        if rule is None:
            continue
        detail = json.loads(event["detail"]) if isinstance(event["detail"], str) else event["detail"]
        st.error(alerts.event_text(rule, detail, ctx.lang, markdown=True), icon=":material/notifications_active:")
        status = [tr("alerts.opened", at=f"{pd.Timestamp(event['opened_at']):%Y-%m-%d %H:%M}")]
        if rule.muted(dt.datetime.now(dt.UTC).replace(tzinfo=None)):
            status.append(tr("alerts.muted", until=f"{rule.muted_until:%Y-%m-%d}"))
        elif rule.targets and not event["delivered"]:
            failed = deliver.recent(ctx.ws, source=f"alert:{rule.name}", failed=True, limit=1)
            reason = failed["error"].iloc[0] if len(failed) else tr("alerts.pending")
            status.append(tr("alerts.undelivered", reason=md(reason), attempts=int(event["attempts"])))
        elif rule.targets:
            status.append(tr("alerts.delivered", targets=md(", ".join(deliver.shown(t) for t in rule.targets))))
        st.caption(" · ".join(status))
        if alerts.may_manage(ctx.user, rule.owner):
            a, b = st.columns(2)
            a.button(tr("alerts.resolve"), key=f"resolve_{event['id']}", on_click=_resolve, args=(ctx, rule.name))
            b.button(
                tr("alerts.mute", days=MUTE_DAYS), key=f"mute_{event['id']}", on_click=_mute, args=(ctx, rule.name)
            )
    rule_form(ctx)


def _open_alerts(ctx: Context) -> tuple[dict, list[dict]]:
    """The rules by name and the open occurrences the reader may see, read once per write to the
    workspace (`remembered`: rules, occurrences and deliveries change only through its writer),
    not on every run of the Overview."""
    ws, user = ctx.ws, ctx.user
    rules = ws.remembered("alert_rules", lambda: {r.name: r for r in alerts.rules(ws)})
    seen_as = f"alert_events/{user.name}/{user.role}/{user.rows.key}"
    return rules, ws.remembered(seen_as, lambda: alerts.events(ws, user).to_dict("records"))


def _resolve(ctx: Context, name: str) -> None:
    guard(alerts.resolve, ctx.ws, ctx.user, name)


def _mute(ctx: Context, name: str) -> None:
    until = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=MUTE_DAYS)
    guard(alerts.mute, ctx.ws, ctx.user, name, until)


def rule_form(ctx: Context) -> None:
    """A new rule on the filters in force (their regions, segments, tiers …; the period rolls:
    the last N days of the data)."""
    if not ctx.can("save_views"):
        return
    with st.expander(tr("alerts.new"), icon=":material/add_alert:", key="rule_form_open", on_change="rerun") as box:
        if not box.open:  # its dozen widgets are drawn (and sent) once it is opened
            return
        query = Filters(cmp=ctx.filters.cmp, dims=ctx.filters.dims).to_query()
        st.caption(tr("alerts.new.help", filters=md(query or "—")))
        name = st.text_input(tr("alerts.name"), key="rule_name", max_chars=80)
        a, b, c = st.columns(3)
        metric = a.selectbox(
            tr("alerts.metric"), RULE_METRICS, format_func=lambda m: ctx.t(f"metric.{m}"), key="rule_m"
        )
        op = b.selectbox(tr("alerts.op"), alerts.OPS, format_func=lambda o: ctx.t(f"alerts.op.{o}"), key="rule_op")
        threshold = c.text_input(tr("alerts.threshold"), key="rule_x", help=tr("alerts.threshold.help"))
        d, e = st.columns([1, 2])
        days = d.number_input(tr("alerts.days"), 1, 3650, 30, key="rule_days")
        to = e.text_input(tr("schedule.to"), key="rule_to", help=tr("alerts.to.help"))
        if st.button(tr("alerts.add"), type="primary", key="rule_go"):
            targets = [t for t in to.replace(";", ",").replace(" ", ",").split(",") if t]
            made = guard(alerts.add, ctx.ws, ctx.user, name, metric=metric, op=op, threshold=threshold or None,
                         query=query, days=int(days), targets=targets, lang=ctx.lang)  # fmt: skip
            if made is not None:
                guard(alert_checks.check, ctx.ws)
                st.success(tr("alerts.added", name=md(made.name)))
