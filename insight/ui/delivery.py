"""Schedules, alert rules and deliveries in the app: the schedule form of the Saved views page,
and the Administration page's lists of schedules (last run, result, next run), alert rules and
every delivery attempt, failures included."""

from __future__ import annotations

import streamlit as st

from insight import i18n
from insight.escape import md
from insight.reports import alerts, deliver, saved, schedule
from insight.ui.shell import Context, guard, tr


def schedule_form(ctx: Context, views: list[saved.SavedView]) -> None:
    """Send a saved view by e-mail on a schedule (analysts and up). Recipients who are users get
    it as they see it; other addresses as you see it."""
    if not ctx.can("save_views") or not views:
        return
    with st.expander(tr("schedule.form"), icon=":material/schedule_send:"):
        st.caption(tr("schedule.form.help"))
        refs = [v.ref for v in views]
        a, b = st.columns(2)
        ref = a.selectbox(tr("schedule.view"), refs, key="sched_view")
        name = b.text_input(tr("schedule.name"), key="sched_name", max_chars=80)
        to = st.text_input(tr("schedule.to"), key="sched_to", help=tr("schedule.to.help"))
        c, d, e = st.columns(3)
        every = c.selectbox(tr("schedule.every"), schedule.EVERY, format_func=lambda x: ctx.t(f"schedule.{x}"))
        at = d.time_input(tr("schedule.at"), value=schedule.DEFAULT_AT, key="sched_at", step=900)
        on = None
        if every == "weekly":
            on = e.selectbox(tr("schedule.on"), schedule.WEEKDAYS, format_func=lambda x: ctx.t(f"weekday.{x}"))
        elif every == "monthly":
            on = str(e.number_input(tr("schedule.day"), 1, 31, 1, key="sched_day"))
        f, g = st.columns(2)
        fmt = f.segmented_control(tr("schedule.format"), ("pdf", "png"), default="pdf", key="sched_fmt")
        lang = g.segmented_control(tr("app.language"), tuple(i18n.LANGS), default=ctx.lang, key="sched_lang",
                                   format_func=i18n.LANGS.get)  # fmt: skip
        if st.button(tr("schedule.add"), type="primary", key="sched_go"):
            targets = [t for t in to.replace(";", ",").replace(" ", ",").split(",") if t]
            made = guard(schedule.add, ctx.ws, ctx.user, name, ref, targets, every, at=f"{at:%H:%M}", on=on,
                         fmt=fmt or "pdf", lang=lang or ctx.lang)  # fmt: skip
            if made is not None:
                st.success(tr("schedule.added", name=md(made.name), when=md(made.describe(ctx.lang))))
        mine = schedule.table(ctx.ws, lang=ctx.lang)
        mine = mine if ctx.can("settings") else mine[mine["name"].isin(_made_by(ctx))]
        if len(mine):
            schedules_table(ctx, mine)


def _made_by(ctx: Context) -> list[str]:
    return [s.name for s in schedule.schedules(ctx.ws) if s.created_by == ctx.user.name]


def schedules_table(ctx: Context, frame) -> None:
    st.dataframe(
        frame.assign(ok=frame["ok"].map({True: tr("schedule.ok"), False: tr("schedule.failed.short")})),
        hide_index=True,
        width="stretch",
        column_config={c: tr(f"schedule.col.{c}") for c in frame.columns},
    )


def admin_tab(ctx: Context) -> None:
    """Administration: every schedule and alert rule, sending one now, removing; the deliveries."""
    st.subheader(tr("schedule.title"))
    frame = schedule.table(ctx.ws, lang=ctx.lang)
    if frame.empty:
        st.caption(tr("schedule.none"))
    else:
        schedules_table(ctx, frame)
        a, b, c = st.columns([2, 1, 1], vertical_alignment="bottom")
        name = a.selectbox(tr("schedule.name"), frame["name"].tolist(), key="admin_sched")
        if b.button(tr("schedule.run_now"), key="admin_sched_run", icon=":material/send:"):
            ran = guard(lambda: schedule.run(ctx.ws, schedule.get(ctx.ws, name)))
            if ran is not None:
                (st.success if ran.ok else st.error)(tr("schedule.ran", ok=len([o for o in ran.outcomes if o.ok]),
                                                        total=len(ran.outcomes)))  # fmt: skip
        if c.button(tr("schedule.remove"), key="admin_sched_remove", icon=":material/delete:"):
            guard(schedule.remove, ctx.ws, ctx.user, name)
            st.rerun()
    st.subheader(tr("alerts.rules"))
    rules = alerts.rules_table(ctx.ws)
    if rules.empty:
        st.caption(tr("alerts.rules.none"))
    else:
        st.dataframe(rules, hide_index=True, width="stretch",
                     column_config={c: tr(f"alerts.col.{c}") for c in rules.columns})  # fmt: skip
    st.subheader(tr("deliver.title"))
    failed = st.toggle(tr("deliver.failed_only"), key="admin_failed_only")
    log = deliver.recent(ctx.ws, failed=failed)
    st.caption(tr("deliver.count", count=f"{len(log):,}", failed=f"{int((~log['ok']).sum()):,}"))
    st.dataframe(log, hide_index=True, width="stretch",
                 column_config={c: tr(f"deliver.col.{c}") for c in log.columns})  # fmt: skip
