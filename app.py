"""Entrypoint: sign-in, navigation (the pages the user's role may open), language switch and the
global filter bar (bound to the URL)."""

import streamlit as st

from insight.auth.access import may_open
from insight.ui.shell import error_boundary, not_allowed, open_page, start, tr

PAGES = [
    ("overview", ":material/dashboard:"),
    ("channels", ":material/alt_route:"),
    ("segments", ":material/diamond:"),
    ("churn", ":material/trending_down:"),
    ("complaints", ":material/support_agent:"),
    ("campaigns", ":material/campaign:"),
    ("saved", ":material/bookmarks:"),
    ("customer", ":material/person:"),
    ("data", ":material/database:"),
    ("admin", ":material/admin_panel_settings:"),
]

with error_boundary():  # an unexpected error shows a short message with an id, never a traceback
    st.set_page_config(page_title=tr("app.title"), page_icon=":material/insights:", layout="wide")
    ctx = start()
    # A page the role may not open keeps its URL, hidden, and says "not allowed" without figures.
    pages = {
        name: st.Page(f"app_pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=name)
        if may_open(ctx.user.role, name)
        else st.Page(not_allowed(name), title=tr(f"page.{name}"), url_path=name, visibility="hidden")
        for name, icon in PAGES
    }
    # The root URL shows the Overview too (a hidden default page), so both `/?…` and `overview?…` links open it.
    root = st.Page(
        "app_pages/overview.py", title=tr("page.overview"), url_path="home", default=True, visibility="hidden"
    )
    nav = st.navigation([root, *pages.values()])
    open_page(ctx, nav.url_path or "overview")  # the page's scope: its default period may follow its own table
    nav.run()
