"""The audit log: sign-ins (and failures), imports, deletes, exports and user changes — who, when,
what and from where. Written to the workspace; read on the admin page and by `insight audit`."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from insight.db.workspace import Workspace

#: What gets recorded (the admin page filters on these).
ACTIONS = (
    "signin",
    "signin_failed",
    "locked",
    "signout",
    "import",
    "delete",
    "export",
    "edit",
    "user_add",
    "user_change",
    "user_remove",
)
SHOWN = 1_000  # entries listed at most; narrow the filters for older ones


def now() -> dt.datetime:
    """UTC, without a zone (the workspace stores naive UTC times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(ws: Workspace, who: str, action: str, what: str = "", origin: str = "", ok: bool = True) -> None:
    if action not in ACTIONS:
        raise AssertionError(action)
    with ws.writer(beside=True) as cur:  # an audit line never waits for an import
        cur.execute(
            'INSERT INTO _audit ("at", who, action, what, origin, ok) VALUES (?, ?, ?, ?, ?, ?)',
            [now(), who, action, what, origin, ok],
        )


def entries(
    ws: Workspace,
    *,
    who: str | None = None,
    actions: list[str] | tuple[str, ...] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    text: str | None = None,
    limit: int = SHOWN,
) -> pd.DataFrame:
    """The newest entries first, filtered by user, actions, days (UTC) and text in `what`."""
    clauses, params = [], []
    if who:
        clauses.append("who = ?")
        params.append(who)
    if actions:
        clauses.append(f"action IN ({', '.join('?' for _ in actions)})")
        params += list(actions)
    if since:
        clauses.append('"at" >= ?')
        params.append(since)
    if until:
        clauses.append('"at" < ?')
        params.append(until + dt.timedelta(days=1))
    if text:
        clauses.append("position(lower(?) IN lower(what)) > 0")
        params.append(text)
    where = " AND ".join(clauses) or "true"
    return ws.query(
        f'SELECT "at", who, action, what, origin, ok FROM _audit WHERE {where} ORDER BY id DESC LIMIT {int(limit)}',
        params,
    )
