"""The one cache design: every computed view, model and build is memoised here.

`@memo(size, key=...)` keeps a function's results in a bounded LRU (cachetools) whose key names
what the result depends on — the workspace, the data version (the physical tables), the row scope
and the options — so a new import is a new key and nothing is ever invalidated by hand. It is
thread-safe and **single flight**: callers asking for a key being computed wait for that one
computation instead of starting their own (cachetools' `condition`), so twenty sessions opening
the same view compute it once. `heavy=True` marks builds that take seconds and most of the CPU
(clusters, models): they also take one process-wide lock, so two different heavy builds never run
at once, while pages that need no heavy build go on (their keys are not waiting on it).

Results are shared between sessions, never copied: callers must not mutate them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from cachetools import LRUCache, cached, keys

#: Heavy builds run one at a time in this process.
_HEAVY = threading.RLock()
_ALL: list = []


def memo(size: int, *, key: Callable = keys.hashkey, heavy: bool = False, content: bool = False) -> Callable:
    """Memoise a function in a bounded, thread-safe, single-flight LRU of `size` entries; `key`
    maps its arguments to the cache key (default: the arguments themselves, hashable).
    `content=True`: the key names the inputs by their content (a digest of the rows), not by a
    workspace and data version, so nothing can make a result stale and `clear()` keeps them."""

    def decorate(func: Callable) -> Callable:
        body = func
        if heavy:

            @functools.wraps(func)
            def body(*args, **kwargs):
                with _HEAVY:
                    return func(*args, **kwargs)

        lock = threading.RLock()
        wrapper = cached(LRUCache(size), key=key, lock=lock, condition=threading.Condition(lock), info=True)(body)
        wrapper.content = content
        _ALL.append(wrapper)
        return wrapper

    return decorate


def _view_key(path: str, version: int, link: str, rows, everything: bool = False) -> tuple:
    """A page view's key: the link's state as parsed (two spellings of one state, such as a share
    link given to the CLI and the link the app builds, are one key; the notes on ignored values are
    part of it), and whether every section is asked for, on the pages whose app view leaves closed
    sections out (elsewhere the app's view and the CLI's are the same view)."""
    from insight.views import options
    from insight.views.pages import PARTIAL
    from insight.views.views import parse_link

    page, query = parse_link(link)
    filters, notes = options.parse(page, query)
    state = (page, filters.to_query(), tuple(str(n) for n in notes))
    return keys.hashkey(path, version, state, rows, everything and page in PARTIAL)


@memo(256, key=_view_key)
def page_view(path: str, version: int, link: str, rows, everything: bool = False):
    """The figures of the page view `link` at data `version` within `rows` (a `RowScope`): those
    the page shows (the open tab, the sections opened), or with `everything` every section (the
    CLI `view`). What the pages, the CLI, the warm-up at server start (insight/serve.py) and the
    load bench share."""
    from insight.db.workspace import open_workspace
    from insight.views.views import page_view as compute

    return compute(open_workspace(path), link, rows, everything=everything)


def peek(func: Callable, *args, **kwargs):
    """The cached result of `func(*args, **kwargs)` if there is one, else None (never computes)."""
    with func.cache_lock:
        return func.cache.get(func.cache_key(*args, **kwargs))


def clear() -> None:
    """Forget every cached result keyed by data versions (tests; a deleted table's results are
    unreachable anyway); those keyed by content stay (`memo(content=True)`: they cannot go stale)."""
    for func in _ALL:
        if not func.content:
            func.cache_clear()


def stats() -> dict[str, dict]:
    """Hits, misses and size of every cache, by function (the bench reports them)."""
    return {f"{f.__module__}.{f.__qualname__}": f.cache_info()._asdict() for f in _ALL}
