"""The CLI hands its command to the app serving the workspace.

DuckDB lets one process hold a workspace file: while the app serves it, no other process can open
it, not even to read. So the serving app listens on a local socket (127.0.0.1, a free port) and
runs, in its own process and on its own `Workspace`, the commands a CLI that finds the file held
hands to it: `import` from cron while the team browses, `schedule run-due`, `view`, `users` and the
rest. An import runs in one of the app's threads: sessions keep reading the version they had until
it publishes (one transaction), then follow the new one (every cache is keyed by the data version).

The port and a random key are in a file beside the workspace (`<workspace>.handoff`, mode 0600):
whoever may read it may open the workspace anyway. The connection is authenticated with that key
(`multiprocessing.connection`'s HMAC challenge) before a byte of the command is read, and the
command and its answer travel as JSON, never pickled.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import TYPE_CHECKING

from insight.errors import InsightError
from insight.i18n import msg

if TYPE_CHECKING:
    from insight.db.workspace import Workspace

_STARTED: set[Path] = set()
_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)
#: Commands that never go to the app: they do not read the served workspace.
LOCAL = frozenset({"bench"})


def address_file(path: Path) -> Path:
    return path.with_name(path.name + ".handoff")


def listen(ws: Workspace) -> bool:
    """Accept handed-off commands for `ws`, once per process (False: already listening)."""
    with _LOCK:
        if ws.path in _STARTED:
            return False
        _STARTED.add(ws.path)
    key = secrets.token_bytes(32)
    listener = Listener(("127.0.0.1", 0), authkey=key)
    where = address_file(ws.path)
    where.unlink(missing_ok=True)
    fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"pid": os.getpid(), "port": listener.address[1], "key": key.hex()}, out)
    atexit.register(where.unlink, missing_ok=True)
    threading.Thread(target=_accept, args=(ws, listener), name="insight-handoff", daemon=True).start()
    return True


def _accept(ws: Workspace, listener: Listener) -> None:
    while True:
        try:
            conn = listener.accept()  # the key's challenge first: a stranger is dropped here
        except Exception:  # a failed handshake (wrong key, a port scanner) ends that connection only
            _LOG.warning("handoff: a connection was refused", exc_info=True)
            continue
        threading.Thread(target=_serve, args=(ws, conn), name="insight-handoff-command", daemon=True).start()


def _serve(ws: Workspace, conn) -> None:
    from insight.cli import execute

    with conn:
        try:
            request = json.loads(conn.recv_bytes())
            reply = execute(request["argv"], cwd=request["cwd"], stdin=request.get("stdin"), workspace=ws.path)
        except Exception:  # a bug: logged here, one line for the CLI
            _LOG.exception("handoff: the command failed")
            reply = {"bug": True}
        try:
            conn.send_bytes(json.dumps(reply, ensure_ascii=False, allow_nan=False).encode())
        except OSError:
            pass  # the CLI went away (interrupted): the command ran all the same


def forward(path: Path, argv: list[str], stdin: str | None) -> dict | None:
    """Hand `argv` to the app serving `path` and wait for its answer; None when no app listens
    (no address file, or its process is gone)."""
    try:
        found = json.loads(address_file(path).read_text())
        os.kill(int(found["pid"]), 0)
        conn = Client(("127.0.0.1", int(found["port"])), authkey=bytes.fromhex(found["key"]))
    except (OSError, ValueError, KeyError, TypeError, EOFError, AuthenticationError):
        return None  # a stale file: its port is closed, or another process now has it
    with conn:
        try:
            conn.send_bytes(json.dumps({"argv": argv, "cwd": os.getcwd(), "stdin": stdin}).encode())
            return json.loads(conn.recv_bytes())
        except (OSError, EOFError):  # the app stopped (or was stopped) while the command ran
            lost = InsightError(msg("handoff.lost"), hint=msg("handoff.lost.hint"))
            return {"error": str(lost), "detail": lost.to_dict()}
