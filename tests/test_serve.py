"""The serving app warms its page cache at start (insight/serve.py): the views it computes are
the very views the pages read when a visitor opens them with no filters."""

from __future__ import annotations

from insight import cache, serve

from .apptest_support import app, clean_caches  # noqa: F401 (clean_caches: autouse)

PAGES = ("overview", "channels", "churn", "complaints", "segments", "campaigns")


def test_the_warm_up_computes_the_views_the_pages_read(demo_ws, monkeypatch):
    serve.warm(demo_ws)
    warmed = cache.page_view.cache_info()
    assert warmed.currsize == len(serve.warm_links())  # one row scope: the administrators'
    at = None
    for page in PAGES:
        at = app(demo_ws, monkeypatch, page)
    read = cache.page_view.cache_info()
    assert read.misses == warmed.misses and read.hits >= len(PAGES)  # every page read a warm view
    assert at is not None and not at.exception
