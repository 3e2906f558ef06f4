"""The one cache (insight/cache.py): bounded, thread-safe, single flight, heavy builds one at a
time without holding up the rest. Threads meet on events, never on timings."""

from __future__ import annotations

import threading

import pytest

from insight.cache import memo, peek

THREADS = 8


def _together(target, args_of) -> None:
    threads = [threading.Thread(target=target, args=args_of(i)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)


def test_identical_requests_at_once_are_computed_once():
    calls, go, arrived = [], threading.Event(), threading.Semaphore(0)

    @memo(16)
    def view(version: int, link: str) -> str:
        calls.append(link)
        go.wait(timeout=10)  # without single flight every caller would be in here now
        return f"{link}@{version}"

    got = []

    def ask(_):
        arrived.release()
        got.append(view(3, "overview?region=East"))

    starter = threading.Thread(target=_together, args=(ask, lambda i: (i,)))
    starter.start()
    for _ in range(THREADS):
        arrived.acquire(timeout=10)
    threading.Event().wait(0.3)  # let the callers reach the cache before the first result exists
    go.set()
    starter.join(timeout=30)
    assert calls == ["overview?region=East"] and got == ["overview?region=East@3"] * THREADS
    assert view(4, "overview?region=East") == "overview?region=East@4" and len(calls) == 2  # a new version


def test_heavy_builds_never_overlap_and_never_hold_up_a_page():
    inside, peak, lock = [0], [0], threading.Lock()
    page_done = threading.Event()
    seen_page = []

    @memo(16, heavy=True)
    def build(key: int) -> int:
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        seen_page.append(page_done.wait(timeout=10))  # a page computes while a heavy build runs
        with lock:
            inside[0] -= 1
        return key * 2

    @memo(16)
    def page(key: int) -> int:
        return key + 1

    builders = threading.Thread(target=_together, args=(lambda i: build(i), lambda i: (i,)))
    builders.start()
    assert page(1) == 2
    page_done.set()
    builders.join(timeout=60)
    assert peak[0] == 1 and all(seen_page) and [build(i) for i in range(THREADS)] == [2 * i for i in range(THREADS)]


def test_the_cache_is_bounded_least_recently_used_first():
    calls = []

    @memo(3)
    def f(x: int) -> int:
        calls.append(x)
        return x * x

    for x in (1, 2, 3, 1, 4):  # 2 is the least recently used when 4 comes
        f(x)
    assert f.cache_info().currsize == 3 and peek(f, 2) is None and peek(f, 1) == 1
    f(2)
    assert calls == [1, 2, 3, 4, 2]


def test_a_failed_computation_is_not_cached_and_its_callers_see_the_error():
    attempts = []

    @memo(4, key=lambda scope, progress=None: scope["version"])
    def f(scope, progress=None):
        attempts.append(scope["version"])
        if len(attempts) == 1:
            raise ValueError("the first attempt fails")
        return scope["version"]

    with pytest.raises(ValueError):
        f({"version": 7})
    assert f({"version": 7}, progress=print) == 7 and peek(f, {"version": 7}) == 7 and attempts == [7, 7]


# --- the page views the app, the CLI and the warm-up share ------------------------------------


def _cli_view(path: str, link: str, capsys) -> dict:
    import json

    from insight import cli

    assert cli.main(["--workspace", path, "view", link, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_cli_view_of_a_state_the_app_computed_is_that_view(demo_ws, capsys):
    """A page without closed sections: the CLI `view` of a state the app has computed, spelled as
    a person writes the link, is the app's view (no second computation); a page whose app view
    leaves sections out gets its every section computed."""
    from insight import cache
    from insight.auth.access import RowScope
    from insight.cli import jsonable

    cache.clear()
    path, version = str(demo_ws.path.resolve()), demo_ws.version()
    shown = cache.page_view(path, version, "complaints?region=East&tab=time", RowScope.all())
    before = cache.page_view.cache_info()
    got = _cli_view(path, "complaints?tab=time&region=East&region=", capsys)
    after = cache.page_view.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
    assert {k: v for k, v in got.items() if k not in ("as", "scope")} == jsonable(shown.to_dict())
    assert got["tables"]["durations"] and got["filters"]["region"] == ["East"]

    lazy = cache.page_view(path, version, "churn", RowScope.all())  # the app, trend tab
    full = _cli_view(path, "churn", capsys)
    assert cache.page_view.cache_info().misses == after.misses + 2
    assert lazy.retention is None and full["tables"]["retention"]
    cache.clear()


def test_the_pages_with_closed_sections_are_those_whose_builders_read_everything():
    """`PARTIAL` (the app and the CLI share one view on the other pages) follows the builders."""
    import dis

    from insight.views import pages

    reads = {
        page
        for page, build in pages.BUILD.items()
        for i in dis.get_instructions(build)
        if i.argval == "everything" and i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "MAKE_CELL")
    }
    assert reads == pages.PARTIAL
