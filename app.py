"""Entrypoint: navigation, language switch and the global filter bar (bound to the URL)."""

import streamlit as st

from insight.ui.shell import start, tr

st.set_page_config(page_title="Customer Insight", page_icon=":material/insights:", layout="wide")
ctx = start()

PAGES = [
    ("overview", ":material/dashboard:", True),
    ("channels", ":material/alt_route:", False),
    ("segments", ":material/diamond:", False),
    ("churn", ":material/trending_down:", False),
    ("complaints", ":material/support_agent:", False),
    ("campaigns", ":material/campaign:", False),
    ("customer", ":material/person:", False),
    ("data", ":material/database:", False),
]
nav = st.navigation(
    [
        st.Page(f"app_pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=name, default=default)
        for name, icon, default in PAGES
    ]
)
nav.run()
