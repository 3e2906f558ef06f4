"""The serving app warms its page cache at start (insight/serve.py): the views it computes are
the very views the pages read when a visitor opens them with no filters."""

from __future__ import annotations

from insight import cache, serve
from insight.domain import spells
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope
from tests.apptest_support import app, clean_caches  # noqa: F401 (clean_caches: autouse)

PAGES = ("overview", "channels", "churn", "complaints", "segments", "campaigns")


def test_the_warm_up_computes_the_views_the_pages_read(demo_ws, monkeypatch):
    serve.warm(demo_ws)
    warmed = cache.page_view.cache_info()
    assert warmed.currsize == len(serve.warm_links())  # one row scope: the administrators'
    days = spells._accelerator(Scope.open(demo_ws, Filters()))[0]
    assert days in demo_ws._facts_meta["_spell_arrays"]  # behavioural churn's customer days, read
    at = None
    for page in PAGES:
        at = app(demo_ws, monkeypatch, page)
    read = cache.page_view.cache_info()
    assert read.misses == warmed.misses and read.hits >= len(PAGES)  # every page read a warm view
    assert at is not None and not at.exception


def test_a_published_import_is_warmed_before_anyone_asks(demo_ws, tmp_path, demo_raw):
    """The server's watcher (`keep_warm`) computes the default views of each new version once it
    is published: the first visitors after a nightly import find them ready."""
    import threading
    import time

    from insight.auth.access import RowScope
    from insight.ingest.importer import import_file

    def warmed(version: int) -> bool:
        path = str(demo_ws.path)
        return all(cache.peek(cache.page_view, path, version, link, RowScope.all()) for link in serve.warm_links())

    def wait_for(version: int) -> bool:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not warmed(version):
            time.sleep(0.1)
        return warmed(version)

    stop = threading.Event()
    watcher = threading.Thread(target=serve.keep_warm, args=(demo_ws,), kwargs={"every": 0.1, "stop": stop})
    watcher.start()
    try:
        first = demo_ws.version()
        assert wait_for(first)
        more = demo_raw["orders"].head(20)
        more.assign(order_id="W" + more["order_id"].astype(str)).to_csv(tmp_path / "more.csv", index=False)
        second = import_file(demo_ws, tmp_path / "more.csv", "orders", mode="append").version
        assert second != first and wait_for(second)
    finally:
        stop.set()
        watcher.join(timeout=60)
    assert not watcher.is_alive()


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


def test_the_server_imports_what_the_pages_import_before_it_listens():
    """`import_pages` (run by `python -m insight.serve` before Streamlit listens) leaves every
    module the entrypoint and the pages import loaded, so a visitor's first run imports nothing;
    statsmodels and scikit-learn wait for the figures and models that need them."""
    import json
    import re
    import subprocess
    import sys

    from insight import settings

    root = settings.PROJECT_ROOT
    named = set()
    for script in (root / "app.py", *(root / "app_pages").glob("*.py")):
        for line in script.read_text(encoding="utf-8").splitlines():
            if found := re.match(r"from (insight[\w.]*) import ([\w, ]+)$", line):
                package = found[1]
                named.add(package)
                named |= {
                    f"{package}.{n.strip()}"
                    for n in found[2].split(",")
                    if (root / package.replace(".", "/") / f"{n.strip()}.py").exists()
                }
            elif found := re.match(r"import ([\w.]+)", line):
                named.add(found[1])
    code = "import json, sys; from insight import serve; serve.import_pages(); print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert named and named <= loaded, named - loaded
    assert {"insight.ui.shell", "insight.charts", "plotly.graph_objects"} <= loaded
    assert not {"statsmodels", "sklearn"} & loaded


def test_the_server_does_not_collect_garbage_after_every_run():
    """Streamlit's default full `gc.collect(2)` after each run held the GIL for half the server's
    time under 20 sessions: the project's Streamlit config turns it off (read as Streamlit reads it)."""
    import subprocess
    import sys

    from insight import settings

    code = "from streamlit import config; config.get_config_options(); print(config.get_option('runner.postScriptGC'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=settings.PROJECT_ROOT
    )
    assert out.stdout.split()[-1] == "False"


def test_the_server_settles_its_heap_before_it_listens():
    """What the start-up left alive is frozen out of the cycle collector and the thresholds are the
    serving ones (`serve.settle_heap`, run by `serve.main` before Streamlit listens); in a process of
    its own, as the server runs it."""
    import subprocess
    import sys

    from insight import settings

    code = (
        "import gc; from insight import serve; serve.import_pages(); before = gc.get_freeze_count(); "
        "serve.settle_heap(); print(before, gc.get_freeze_count(), *gc.get_threshold())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=settings.PROJECT_ROOT
    )
    before, frozen, *thresholds = map(int, out.stdout.split()[-5:])
    assert before == 0 and frozen > 100_000  # the modules the pages import, and what they made
    assert tuple(thresholds) == serve.GC_THRESHOLDS != (700, 10, 10)
