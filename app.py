"""Entrypoint: navigation, language switch and the global filter bar (bound to the URL)."""

import streamlit as st

from insight.ui.shell import start, tr

st.set_page_config(page_title="Customer Insight", page_icon="📊", layout="wide")
ctx = start()

PAGES = [
    ("overview", "📊", True),
    ("channels", "🔀", False),
    ("segments", "💎", False),
    ("churn", "📉", False),
    ("complaints", "🎧", False),
    ("campaigns", "📣", False),
    ("customer", "👤", False),
    ("data", "🗂️", False),
]
nav = st.navigation(
    [
        st.Page(f"pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=name, default=default)
        for name, icon, default in PAGES
    ]
)
nav.run()
