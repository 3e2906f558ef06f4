"""Caching wrappers: page figures are cached per workspace, data version and view state."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from insight.ui.shell import Context
from insight.views import PageView, page_view
from insight.workspace import open_workspace


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def _view(path: str, version: int, link: str) -> PageView:
    return page_view(open_workspace(path), link)


def view(ctx: Context, page: str, options: dict[str, str] | None = None) -> PageView:
    """The figures of `page` for the current filters and the page's own URL state `options`
    (the same function the CLI `view` calls, with the same link)."""
    extra = {k: v for k, v in (options or {}).items() if v}
    query = replace(ctx.filters, extra=tuple(sorted({**dict(ctx.filters.extra), **extra}.items()))).to_query()
    return _view(str(ctx.ws.path), ctx.ws.version(), f"{page}?{query}")
