"""Local accounts: argon2 password hashes, roles and row scopes, lockout, and browser sessions.

Everything lives in the workspace (`_users`, `_sessions`). A session is a random token kept by
the browser (a cookie) and stored here only as its SHA-256, so a copy of the workspace signs
nobody in. Every change is written to the audit log (insight/auth/audit.py) with who did it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from insight import settings
from insight.auth import audit
from insight.auth.access import RowScope, check_role
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg

_HASHER = PasswordHasher()
#: Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _HASHER.hash("not a password")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    rows: RowScope
    email: str | None = None


#: The CLI without `--as`: whoever holds the workspace file holds everything in it.
OWNER = User("owner", "admin", RowScope.all())
#: A browser signed in with `?token=` (INSIGHT_ACCESS_TOKEN).
TOKEN = User("token", "admin", RowScope.all())


def _user(row) -> User:
    rows = RowScope.all() if row["role"] == "admin" else RowScope.from_json(row["scope"])
    return User(row["name"], row["role"], rows, row["email"])


def has_users(ws: Workspace) -> bool:
    return bool(ws.scalar("SELECT count(*) FROM _users"))


def get(ws: Workspace, name: str) -> User | None:
    found = ws.query("SELECT * FROM _users WHERE name = ?", [name])
    return _user(found.iloc[0]) if len(found) else None


def by_email(ws: Workspace, email: str | None) -> User | None:
    """The user an OIDC identity maps to (emails compare without case)."""
    if not email:
        return None
    found = ws.query("SELECT * FROM _users WHERE lower(email) = lower(?) ORDER BY name LIMIT 1", [email])
    return _user(found.iloc[0]) if len(found) else None


def resolve(ws: Workspace, name: str | None) -> User:
    """The user named by `--as` (the owner when none is named); an unknown name is refused."""
    if not name:
        return OWNER
    user = get(ws, name)
    if user is None:
        raise InsightError(msg("users.unknown", name=name), hint=msg("users.unknown.hint"))
    return user


def named(ws: Workspace, name: str) -> User:
    """A stored user by name, or the workspace's owner (whatever the CLI created without `--as`)."""
    if name == OWNER.name and get(ws, name) is None:
        return OWNER
    return resolve(ws, name)


def table(ws: Workspace) -> pd.DataFrame:
    frame = ws.query("SELECT name, role, scope, email, locked_until, created_at FROM _users ORDER BY name")
    frame["scope"] = [
        "all" if r == "admin" else RowScope.from_json(s).describe()
        for r, s in zip(frame["role"], frame["scope"], strict=True)
    ]
    return frame


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(unicodedata.category(c).startswith("C") for c in name):
        raise InsightError(msg("users.bad_name", name=name), hint=msg("users.bad_name.hint"))
    return name


def _check_password(password: str) -> str:
    if len(password or "") < settings.MIN_PASSWORD:
        raise InsightError(msg("users.short_password", n=settings.MIN_PASSWORD))
    return password


def add(
    ws: Workspace,
    name: str,
    role: str,
    password: str | None,
    rows: RowScope | None = None,
    email: str | None = None,
    *,
    by: str = OWNER.name,
    origin: str = "",
) -> User:
    """A new account. A password is needed unless the user signs in through OIDC (an email)."""
    name, role = _check_name(name), check_role(role)
    if password is None and not email:
        raise InsightError(msg("users.needs_password"))
    hashed = _HASHER.hash(_check_password(password)) if password is not None else None
    rows = rows if rows is not None else RowScope()
    with ws.writer() as cur:
        if cur.execute("SELECT count(*) FROM _users WHERE name = ?", [name]).fetchone()[0]:
            raise InsightError(msg("users.exists", name=name))
        cur.execute(
            "INSERT INTO _users (name, role, scope, password_hash, email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [name, role, rows.to_json(), hashed, email or None, audit.now()],
        )
    audit.record(ws, by, "user_add", f"{name} role={role} scope={rows.describe()}", origin)
    return get(ws, name)


def change(
    ws: Workspace,
    name: str,
    *,
    role: str | None = None,
    rows: RowScope | None = None,
    password: str | None = None,
    unlock: bool = False,
    by: str = OWNER.name,
    origin: str = "",
) -> User:
    user = resolve(ws, name)
    if role is not None and check_role(role) != "admin" and user.role == "admin":
        _keep_an_admin(ws, name)
    sets, params, said = [], [], []
    if role is not None:
        sets.append("role = ?")
        params.append(role)
        said.append(f"role={role}")
    if rows is not None:
        sets.append("scope = ?")
        params.append(rows.to_json())
        said.append(f"scope={rows.describe()}")
    if password is not None:
        sets.append("password_hash = ?")
        params.append(_HASHER.hash(_check_password(password)))
        said.append("password")
    if unlock:
        sets.append("failures = 0, locked_until = NULL")
        said.append("unlocked")
    if sets:
        with ws.writer() as cur:
            cur.execute(f"UPDATE _users SET {', '.join(sets)} WHERE name = ?", [*params, name])
        audit.record(ws, by, "user_change", f"{name} {' '.join(said)}", origin)
    return get(ws, name)


def remove(ws: Workspace, name: str, *, by: str = OWNER.name, origin: str = "") -> None:
    user = resolve(ws, name)
    if user.role == "admin":
        _keep_an_admin(ws, name)
    with ws.writer() as cur:
        cur.execute("DELETE FROM _sessions WHERE name = ?", [name])
        cur.execute("DELETE FROM _users WHERE name = ?", [name])
    audit.record(ws, by, "user_remove", name, origin)


def _keep_an_admin(ws: Workspace, name: str) -> None:
    if not ws.scalar("SELECT count(*) FROM _users WHERE role = 'admin' AND name <> ?", [name]):
        raise InsightError(msg("users.last_admin", name=name))


def authenticate(ws: Workspace, name: str, password: str, *, origin: str = "") -> User:
    """The user, if `password` is theirs. Failures are counted; `settings.LOCKOUT_FAILURES` in a
    row lock the account for `settings.LOCKOUT_MINUTES`, and a locked account is not even tried."""
    name = (name or "").strip()
    found = ws.query("SELECT * FROM _users WHERE name = ?", [name])
    row = found.iloc[0] if len(found) else None
    now = audit.now()
    if row is not None and pd.notna(row["locked_until"]) and row["locked_until"] > now:
        audit.record(ws, name, "signin_failed", "locked", origin, ok=False)
        raise InsightError(msg("auth.locked", minutes=settings.LOCKOUT_MINUTES))
    try:
        _HASHER.verify(row["password_hash"] if row is not None and row["password_hash"] else _DUMMY, password or "")
        ok = row is not None and bool(row["password_hash"])
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _failed(ws, name, row is not None, origin)
        raise InsightError(msg("auth.failed"))
    with ws.writer() as cur:
        cur.execute("UPDATE _users SET failures = 0, locked_until = NULL WHERE name = ?", [name])
        if _HASHER.check_needs_rehash(row["password_hash"]):
            cur.execute("UPDATE _users SET password_hash = ? WHERE name = ?", [_HASHER.hash(password), name])
    audit.record(ws, name, "signin", "password", origin)
    return _user(row)


def _failed(ws: Workspace, name: str, known: bool, origin: str) -> None:
    audit.record(ws, name or "?", "signin_failed", "" if known else "unknown user", origin, ok=False)
    if not known:
        return
    with ws.writer() as cur:
        failures = cur.execute(
            "UPDATE _users SET failures = failures + 1 WHERE name = ? RETURNING failures", [name]
        ).fetchone()[0]
        if failures >= settings.LOCKOUT_FAILURES:
            until = audit.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
            cur.execute("UPDATE _users SET failures = 0, locked_until = ? WHERE name = ?", [until, name])
    if failures >= settings.LOCKOUT_FAILURES:
        audit.record(ws, name, "locked", f"{failures} failed passwords", origin, ok=False)


# --- sessions ---------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(ws: Workspace, user: User) -> str:
    """A new session token for the browser to keep (its hash is stored, with an expiry)."""
    token = secrets.token_urlsafe(32)
    now = audit.now()
    with ws.writer() as cur:
        cur.execute("DELETE FROM _sessions WHERE expires_at < ?", [now])
        cur.execute(
            "INSERT INTO _sessions VALUES (?, ?, ?, ?)",
            [_digest(token), user.name, now, now + dt.timedelta(days=settings.SESSION_DAYS)],
        )
    return token


def session_user(ws: Workspace, token: str | None) -> User | None:
    """The user a browser's session token belongs to, while it has not expired."""
    if not token or len(token) > 200:
        return None
    name = ws.scalar(
        "SELECT name FROM _sessions WHERE token_hash = ? AND expires_at > ?", [_digest(token), audit.now()]
    )
    return get(ws, name) if name else None


def end_session(ws: Workspace, token: str | None) -> None:
    if token:
        with ws.writer() as cur:
            cur.execute("DELETE FROM _sessions WHERE token_hash = ?", [_digest(token)])
