"""Entrypoint: navigation, language switch and the global filter bar (bound to the URL)."""

import streamlit as st

from insight.ui.shell import error_boundary, start, tr

PAGES = [
    ("overview", ":material/dashboard:"),
    ("channels", ":material/alt_route:"),
    ("segments", ":material/diamond:"),
    ("churn", ":material/trending_down:"),
    ("complaints", ":material/support_agent:"),
    ("campaigns", ":material/campaign:"),
    ("customer", ":material/person:"),
    ("data", ":material/database:"),
]

with error_boundary():  # an unexpected error shows a short message with an id, never a traceback
    st.set_page_config(page_title=tr("app.title"), page_icon=":material/insights:", layout="wide")
    pages = {
        name: st.Page(f"app_pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=name)
        for name, icon in PAGES
    }
    # The root URL shows the Overview too (a hidden default page), so both `/?…` and `overview?…` links open it.
    root = st.Page(
        "app_pages/overview.py", title=tr("page.overview"), url_path="home", default=True, visibility="hidden"
    )
    nav = st.navigation([root, *pages.values()])
    start(nav.url_path or "overview")
    nav.run()
