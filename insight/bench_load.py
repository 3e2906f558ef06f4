"""`python -m insight bench --sessions N`: a team at once, against the real server.

N sessions, each a light client that speaks Streamlit's own websocket protocol (the browser's:
binary `BackMsg` protobufs on `/_stcore/stream`, `ForwardMsg`s back) instead of a browser: it asks
for a run of a page with a URL (page and query string, the share-link form of every filter) and
waits for the run's `script_finished`. A view is timed from the request to the end of its run; it
is an error when the run draws an exception or an error box, or does not finish successfully.
Each session loads pages with filter changes in a bounded loop, with no pause; meanwhile a cron
import (an append of new orders) is handed to the running server (insight/handoff.py). The
sessions wait on the server, not on each other: one event loop drives them all.
"""

from __future__ import annotations

import asyncio
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from insight import settings

PAGES = ("overview", "channels", "churn", "complaints", "segments", "campaigns")
#: A run that sends nothing for this long is stuck: an error.
RUN_TIMEOUT_S = 120


class Server:
    """`python -m insight.serve` on `workspace` and a free port, headless, until `stop()`."""

    def __init__(self, workspace: Path, log: Path, token: str, attempts: int = 3) -> None:
        env = {**os.environ, "INSIGHT_WORKSPACE": str(workspace), "INSIGHT_ACCESS_TOKEN": token}
        env |= {"INSIGHT_SCHEDULER": "0", "PYTHONPATH": str(settings.PROJECT_ROOT)}
        for attempt in range(attempts):
            if self._start(env, log):
                return
            # the free port was taken before Streamlit bound it (the server's own command listener
            # may be given it): another one
            if "is not available" not in log.read_text() or attempt == attempts - 1:
                raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")

    def _start(self, env: dict, log: Path) -> bool:
        """Start the server on a free port: whether it came up (False: it exited)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "insight.serve", "--server.port", str(self.port)]
        cmd += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        output = log.open("w")
        self.proc = subprocess.Popen(cmd, cwd=settings.PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2):
                    return True
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not start")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system, all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _request(page: str, query: str) -> bytes:
    back = BackMsg()
    back.rerun_script.page_name = page
    back.rerun_script.query_string = query
    back.rerun_script.context_info.timezone = "UTC"
    back.rerun_script.context_info.locale = "en-US"
    return back.SerializeToString()


def _failed(msg: ForwardMsg) -> bool:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return False
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    return kind == "exception" or (kind == "alert" and element.alert.format == Alert.ERROR)


async def _view(ws, page: str, query: str) -> bool:
    """Ask for one run of `page` with `query` and read its messages to the end of the run: whether
    it went wrong."""
    await ws.send(_request(page, query))
    bad = False
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await asyncio.wait_for(ws.recv(), RUN_TIMEOUT_S))
        bad = bad or _failed(msg)
        if msg.WhichOneof("type") == "script_finished":
            status = msg.script_finished
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return bad or status != ForwardMsg.FINISHED_SUCCESSFULLY


async def _session(port: int, token: str, number: int, views: int, queries: tuple[str, ...], out: list) -> None:
    """Session `number`: `views` page loads in a row, each a page opened with its filters in the
    URL (a share link, or a reload after a filter change), as a browser tab does it: a new
    connection signed in by the access-token cookie."""
    for j in range(views):
        page = PAGES[(number + j) % len(PAGES)]
        query = queries[(number * 7 + j) % len(queries)]
        started = time.perf_counter()
        try:
            async with connect(
                f"ws://127.0.0.1:{port}/_stcore/stream",
                subprotocols=["streamlit"],
                additional_headers={"Cookie": f"insight_token={token}"},
                max_size=None,
            ) as ws:
                bad = await _view(ws, page, query)
            out.append((page, time.perf_counter() - started, bad))
        except Exception:  # a dropped or stuck connection is an error of the view, not a crash
            out.append((page, float("nan"), True))


def _import_during(workspace: Path, file: Path, result: dict, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        started = time.perf_counter()
        children = _children_cpu()
        done = subprocess.run(
            [sys.executable, "-m", "insight", "--workspace", str(workspace), "import", str(file), "--as", "orders",
             "--mode", "append", "--json"],
            capture_output=True, text=True, cwd=settings.PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(settings.PROJECT_ROOT)},
        )  # fmt: skip
        result.update(ok=done.returncode == 0, seconds=round(time.perf_counter() - started, 2))
        result["cli_cpu_s"] = round(_children_cpu() - children, 2)  # the CLI's own process, not the server's work
        if done.returncode:
            result["error"] = done.stderr.strip()[-300:]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (the import's CLI process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def bench_load(workspace: Path, sessions: int, views: int, queries: tuple[str, ...], batch: Path | None) -> dict:
    """N sessions of `views` page views each, all at once, on a real server of `workspace`, while
    `batch` (an orders file, if given) is appended through the CLI."""
    token = secrets.token_urlsafe(16)
    server = Server(workspace, workspace.with_suffix(".log"), token)
    imported: dict = {}
    try:
        out: list = []

        async def everyone() -> None:
            await asyncio.gather(*(_session(server.port, token, i, views, queries, out) for i in range(sessions)))

        cpu = server.cpu_seconds()
        started = time.perf_counter()
        importing = _import_during(workspace, batch, imported, delay=2.0) if batch else None
        client: list[float] = []

        def drive() -> None:  # its own thread: the caller may run an event loop already (Playwright's sync API does)
            started = time.thread_time()
            asyncio.run(everyone())
            client.append(time.thread_time() - started)

        driver = threading.Thread(target=drive, name="insight-load")
        driver.start()
        driver.join()
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu  # the handed-off import's work too, while it overlaps
        if importing is not None:
            importing.join()
    finally:
        server.stop()
    times = sorted(t for _, t, bad in out if t == t)
    return {
        "sessions": sessions,
        "views": len(times),
        "errors": sum(bad for _, _, bad in out),
        "p50_ms": round(statistics.median(times) * 1000) if times else None,
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000) if times else None,
        "max_ms": round(times[-1] * 1000) if times else None,
        "views_per_s": round(len(times) / wall, 2),
        "wall_s": round(wall, 1),
        # what the ceiling rests on: one process runs its pages' Python on about one core (the GIL)
        "server_cpu_s_per_view": round(cpu / len(out), 3) if out else None,
        "server_cores_used": round(cpu / wall, 2),
        # the bench's own share of the machine: its sessions' client (one thread) and the import's CLI
        "client_cpu_s_per_view": round(client[0] / len(out), 3) if out and client else None,
        "import": imported,
        "per_page_p50_ms": {
            page: round(statistics.median(t for p, t, bad in out if p == page and t == t) * 1000)
            for page in PAGES
            if any(p == page and t == t for p, t, _ in out)
        },
    }
