"""Administration: users (roles and row scopes) and the audit log."""

import streamlit as st

from insight.auth import audit, users
from insight.auth.access import ROLES, SCOPE_DIMENSIONS, RowScope
from insight.escape import md
from insight.settings import LOCKOUT_FAILURES, LOCKOUT_MINUTES, SESSION_DAYS, query_timeout
from insight.ui.auth import origin
from insight.ui.delivery import admin_tab
from insight.ui.filterbar import dimension_options
from insight.ui.shell import context, guard

ctx = context()
ws, t, me = ctx.ws, ctx.t, ctx.user.name
st.title(t("page.admin"))
st.caption(
    t(
        "admin.settings",
        timeout=f"{query_timeout():g}",
        days=SESSION_DAYS,
        failures=LOCKOUT_FAILURES,
        minutes=LOCKOUT_MINUTES,
    )
)


def role_label(role: str) -> str:
    return t(f"role.{role}")


def scope_editor(prefix: str, current: RowScope) -> RowScope:
    """All rows, or values per dimension (AND across dimensions, any value within one)."""
    everything = st.checkbox(t("admin.scope.all"), value=current.everything, key=f"{prefix}_all")
    if everything:
        return RowScope.all()
    st.caption(t("admin.scope.help"))
    rules = {}
    for dim in SCOPE_DIMENSIONS:
        options = dimension_options(dim)
        if options:
            chosen = dict(current.rules).get(dim, ())
            rules[dim] = st.multiselect(
                t(f"dim.{dim}"),
                options,
                default=[v for v in chosen if v in options],
                key=f"{prefix}_{dim}",
                placeholder=t("app.choose"),
            )
    return RowScope.of(rules)


tab_users, tab_audit, tab_delivery = st.tabs([t("admin.users"), t("admin.audit"), t("admin.delivery")])
with tab_users:
    people = users.table(ws)
    st.dataframe(
        people,
        hide_index=True,
        column_config={c: t(f"admin.col.{c}") for c in people.columns},
    )
    with st.expander(t("admin.add"), icon=":material/person_add:"):
        name = st.text_input(t("auth.name"), key="add_name")
        role = st.selectbox(t("admin.role"), ROLES, format_func=role_label, key="add_role")
        password = st.text_input(t("auth.password"), type="password", key="add_password")
        email = st.text_input(t("admin.email"), key="add_email", help=t("admin.email.help"))
        rows = RowScope.all() if role == "admin" else scope_editor("add", RowScope())
        if st.button(t("admin.add.button"), type="primary", key="add_go"):
            added = guard(users.add, ws, name, role, password or None, rows, email or None, by=me, origin=origin())
            if added is not None:
                st.success(t("admin.added", name=md(added.name)))
    if len(people):
        with st.expander(t("admin.change"), icon=":material/manage_accounts:"):
            who = st.selectbox(t("admin.user"), people["name"].tolist(), key="change_name")
            user = users.get(ws, who)
            role = st.selectbox(
                t("admin.role"), ROLES, index=ROLES.index(user.role), format_func=role_label, key=f"change_role_{who}"
            )
            rows = RowScope.all() if role == "admin" else scope_editor(f"change_{who}", user.rows)
            a, b, c = st.columns(3)
            if a.button(t("admin.change.button"), type="primary", key="change_go"):
                if guard(users.change, ws, who, role=role, rows=rows, by=me, origin=origin()) is not None:
                    st.rerun()
            if b.button(t("admin.unlock"), key="unlock_go"):
                guard(users.change, ws, who, unlock=True, by=me, origin=origin())
            typed = c.text_input(t("admin.remove.confirm"), key="remove_confirm")
            if c.button(t("admin.remove"), disabled=typed != who or who == me, key="remove_go"):
                guard(users.remove, ws, who, by=me, origin=origin())
                st.rerun()

with tab_audit:
    a, b, c, d = st.columns(4)
    who = a.text_input(t("admin.audit.who"), key="audit_who")
    actions = b.multiselect(
        t("admin.audit.action"),
        audit.ACTIONS,
        format_func=lambda x: t(f"audit.{x}"),
        key="audit_actions",
        placeholder=t("app.choose"),
    )
    since = c.date_input(t("app.from"), value=None, key="audit_since")
    text = d.text_input(t("admin.audit.text"), key="audit_text")
    found = audit.entries(ws, who=who.strip() or None, actions=actions, since=since, text=text.strip() or None)
    st.caption(t("admin.audit.count", count=f"{len(found):,}", shown=audit.SHOWN))
    found = found.assign(action=[t(f"audit.{x}") for x in found["action"]])
    st.dataframe(found, hide_index=True, width="stretch", column_config={c: t(f"admin.col.{c}") for c in found.columns})

with tab_delivery:
    admin_tab(ctx)
