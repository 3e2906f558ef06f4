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


def test_signing_in_does_not_wait_for_an_import(demo_ws):
    """An audit line (every sign-in writes one) commits beside an import's open transaction."""
    import threading

    from insight.auth import audit

    inside, release, done = threading.Event(), threading.Event(), threading.Event()

    def importing():
        with demo_ws.writer() as cur:  # what an import holds while it stages and publishes
            cur.execute("CREATE TABLE _staged AS SELECT 1 AS x")
            inside.set()
            release.wait(timeout=30)

    def sign_in():
        audit.record(demo_ws, "owner", "signin", "while importing", "test")
        done.set()

    held = threading.Thread(target=importing)
    held.start()
    assert inside.wait(timeout=30)
    threading.Thread(target=sign_in).start()
    try:
        assert done.wait(timeout=20)  # the import is still open: it did not wait for it
    finally:
        release.set()
        held.join()
    lines = audit.entries(demo_ws, actions=["signin"])
    assert "while importing" in lines["what"].tolist()
