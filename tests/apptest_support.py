"""The one way an AppTest opens the app: every AppTest goes through `app()` (or `open_page()`), so
whatever the app needs before a page shows (a workspace, a signed-in user) is set up here once."""

from __future__ import annotations

import functools
import logging
import re
from unittest.mock import MagicMock

import pytest
import streamlit as st
from streamlit import config
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from insight import cache
from tests.conftest import ROOT

#: Seconds a single script run may take before AppTest gives up.
RUN_TIMEOUT = 60

# Each AppTest's first run scans every installed package for Streamlit components (about a second
# of CPU); the installed packages do not change during a test session, so scan once per process.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def _await_run(runner, timeout: float = 3) -> None:
    """Wait for a script run as AppTest does, but by joining the script thread (which ends with
    the run) instead of waking every millisecond to poll for its end: the poll took the GIL from
    the script a thousand times a second, a few per cent of every AppTest run's CPU."""
    runner._script_thread.join(timeout)
    if runner._script_thread.is_alive():
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


local_script_runner.require_widgets_deltas = _await_run

# A test sets a widget's value (`at.session_state[key] = ...`) from its own thread, outside any
# script run: Streamlit logs "missing ScriptRunContext" on every such write (a formatted record
# written to the captured stderr, about a millisecond each). It says nothing under AppTest.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage()
)

# Each AppTest run compiles the app and the page it opens anew (a fresh script cache per run); the
# scripts do not change during a test session, so compile each once per process.
_SCRIPTS = ScriptCache()
app_test.ScriptCache = lambda: _SCRIPTS


@functools.cache
def _one_runtime(*args, **kwargs) -> MagicMock:
    runtime = MagicMock(*args, **kwargs)
    runtime.get_client.return_value = None
    return runtime


def _runtime(*args, **kwargs) -> MagicMock:
    """AppTest's stand-in Runtime, without a browser session: `st.context` reads no cookies,
    headers or address (None, as in bare mode) instead of building mock objects on every read
    (the sign-in check reads the cookies on each run). One per process, its record of calls
    reset for each run (AppTest sets its managers anew on each): a mock made to the Runtime's
    spec took over a millisecond of every run."""
    runtime = _one_runtime(*args, **kwargs)
    runtime.reset_mock()
    return runtime


app_test.MagicMock = _runtime


@pytest.fixture(autouse=True)
def clean_caches():
    """All AppTests share one session id: clear Streamlit's caches and ours (insight/cache.py) so no
    test sees another's."""
    st.cache_data.clear()
    st.cache_resource.clear()
    cache.clear()
    yield
    st.cache_data.clear()
    cache.clear()


#: AppTests sign in as an administrator with the access token (tests of sign-in itself pass
#: `signed_in=False` and go through the forms).
TOKEN = "apptest-access-token"


def app(
    workspace,
    monkeypatch,
    page: str | None = None,
    query: dict | None = None,
    signed_in: bool = True,
    link: str | None = None,
) -> AppTest:
    """The app on `workspace`, opened with the URL `query` (signed in as an administrator unless
    `signed_in=False`) at the page `link` (a deep link; AppTest starts on the default page), then
    switched to `page` if given. Fails on any exception the run raised."""
    monkeypatch.setenv("INSIGHT_WORKSPACE", str(workspace.path))
    monkeypatch.setenv("INSIGHT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("INSIGHT_RAISE_ERRORS", "1")  # the error boundary re-raises: AppTest records it
    config.set_option("client.showErrorDetails", "full")  # a failing test shows the error, not a redaction
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    if query:
        at.query_params.update(query)
    if signed_in:
        at.query_params["token"] = TOKEN
    if link:
        at.switch_page(f"app_pages/{link}.py")
    at.run()
    assert_clean(at)
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert_clean(at)
    return at


def open_page(page: str, workspace, monkeypatch, query: dict) -> AppTest:
    """The app opened with `query`, then switched to `page`."""
    return app(workspace, monkeypatch, page, query)


def assert_clean(at: AppTest) -> None:
    """No exception in the run: the app's error boundary re-raises under test, so AppTest has it."""
    assert not at.exception, at.exception[0].message + "\n" + "\n".join(at.exception[0].stack_trace)


def shown(markdown: str) -> str:
    """The text a reader sees of a Markdown source (user values in it are backslash-escaped)."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", str(markdown))


#: The elements whose text a reader sees, in the order `texts` joins them.
TEXT_TYPES = ("title", "markdown", "info", "warning", "caption", "subheader", "error", "success")


def elements(at: AppTest, *types: str) -> dict[str, list]:
    """The page's elements of each of `types`, in page order, from one walk of the page (each of
    AppTest's `at.title`, `at.markdown`... walks the whole page again)."""
    found: dict[str, list] = {kind: [] for kind in types}
    for node in at._tree:
        if node.type in found:
            found[node.type].append(node)
    return found


def texts(at: AppTest, found: dict[str, list] | None = None) -> str:
    """Every text a reader sees on the page: titles, Markdown, notes, captions, subheaders (from
    `found`, the page's `elements`, when the caller has them)."""
    found = found or elements(at, *TEXT_TYPES)
    return "\n".join(shown(e.value) for kind in TEXT_TYPES for e in found[kind])
