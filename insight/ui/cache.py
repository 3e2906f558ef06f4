"""Caching wrappers: page figures are cached per workspace, data version and view state."""

from __future__ import annotations

import streamlit as st

from insight.ui.shell import Context
from insight.views import PageView, page_view
from insight.workspace import open_workspace


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def _view(path: str, version: int, link: str) -> PageView:
    return page_view(open_workspace(path), link)


def view(ctx: Context, page: str) -> PageView:
    """The figures of `page` for the current filters (the same function the CLI `view` calls)."""
    query = ctx.filters.to_query()
    return _view(str(ctx.ws.path), ctx.ws.version(), f"{page}?{query}")
