"""Saved views: yours and those shared with the team — open one, download it as a PDF as you
see it, or send it by e-mail on a schedule."""

import streamlit as st

from insight.reports import saved
from insight.ui.delivery import schedule_form
from insight.ui.filterbar import opened_view
from insight.ui.saved import view_card
from insight.ui.shell import context

opened_view()  # "Open" was clicked: go to that page with the view's state
ctx = context()
t = ctx.t
st.title(t("page.saved"))
st.caption(t("saved.help"))
views = saved.visible(ctx.ws, ctx.user)
mine = [v for v in views if v.owner == ctx.user.name]
shared = [v for v in views if v.owner != ctx.user.name]
if not views:
    st.info(t("saved.none"), icon=":material/bookmarks:")
if mine:
    st.subheader(t("saved.mine"))
    for view in mine:
        view_card(ctx, view)
if shared:
    st.subheader(t("saved.team"))
    for view in shared:
        view_card(ctx, view)
schedule_form(ctx, views)
