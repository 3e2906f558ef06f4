"""A real `streamlit run` server on a free port and a real Chromium driving it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
#: Every test server accepts this access token (INSIGHT_ACCESS_TOKEN); browser contexts carry it
#: as the cookie a `?token=` visit leaves, so they start signed in as an administrator.
ACCESS_TOKEN = "browser-test-access-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self,
        workspace: Path,
        log: Path,
        env: dict | None = None,
        entry: tuple[str, ...] = ("streamlit", "run", "app.py"),
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [
            sys.executable,
            "-m",
            *entry,
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ]
        full_env = {**os.environ, "INSIGHT_WORKSPACE": str(workspace), "INSIGHT_ACCESS_TOKEN": ACCESS_TOKEN}
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def demo_server(demo_file: Path, tmp: Path) -> Server:
    """A server on its own copy of the demo workspace (browser tests change what they see)."""
    workspace = tmp / "ws.duckdb"
    shutil.copy(demo_file, workspace)
    return Server(workspace, tmp / "streamlit.log")


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script run that the last action started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def choose(page, label: str, option: str, attempts: int = 3) -> None:
    """Pick `option` in the multiselect labelled `label`, retrying if a rerun closed the list."""
    field = page.get_by_role("combobox", name=label, exact=True)
    box = page.get_by_test_id("stMultiSelect").filter(has=field)
    for _ in range(attempts):
        wait_idle(page)
        field.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
        except Exception:  # the dropdown was re-rendered under the pointer
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Escape")
        wait_idle(page)
        if option in box.inner_text():
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


class SignedInBrowser:
    """The real browser, whose new contexts start signed in (the access-token cookie a
    `?token=` visit leaves); `new_context(signed_in=False)` for tests of sign-in itself."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, *, signed_in: bool = True, **kwargs):
        context = self._browser.new_context(**kwargs)
        if signed_in:
            context.add_cookies([{"name": "insight_token", "value": ACCESS_TOKEN, "domain": "127.0.0.1", "path": "/"}])
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)
