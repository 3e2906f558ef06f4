"""Saved views: a page and its whole URL state under a name, personal or shared with the team,
pinned to the data version it was saved at or following the latest data.

A saved view carries filters, never rights: whoever opens it sees it within their own row scope
(insight/auth/access.py), exactly as a share link. Analysts and up save; anyone opens the shared ones.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import pandas as pd

from insight.auth import access, audit
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg
from insight.semantic.filters import whole_number
from insight.views.views import parse_link

#: URL parameters that are not view state: the language is the reader's own, the token a sign-in,
#: and the data version is kept apart (`version`), so pinning is a choice made when saving.
NOT_STATE = ("lang", "token", "ds")
MAX_NAME = 80


@dataclass(frozen=True)
class SavedView:
    owner: str
    name: str
    page: str
    query: str  # URL state without `ds`
    shared: bool
    version: int | None  # None: follows the latest data
    updated_at: dt.datetime | None = None

    @property
    def ref(self) -> str:
        """`owner/name`: unique in the workspace (a name is unique per owner)."""
        return f"{self.owner}/{self.name}"

    def link(self) -> str:
        """The share link of the view (page and query), with `ds=` when pinned."""
        params = parse_qsl(self.query)
        if self.version is not None:
            params.append(("ds", str(self.version)))
        return f"{self.page}?{urlencode(params)}" if params else self.page

    def params(self) -> dict[str, list[str]]:
        """The query parameters to open the view with (repeated keys as lists)."""
        out: dict[str, list[str]] = {}
        for key, value in parse_qsl(urlsplit(self.link()).query):
            out.setdefault(key, []).append(value)
        return out


def state(query: str | dict) -> tuple[str, int | None]:
    """(URL state without lang/token/ds, the `ds` version it named) of a query string or a
    dict of values or lists (Streamlit's query parameters)."""
    if isinstance(query, str):
        pairs = parse_qsl(urlsplit(query).query if "?" in query else query)
    else:
        pairs = [(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list | tuple) else [vs])]
    ds = next((whole_number(v) for k, v in pairs if k == "ds"), None)
    return urlencode([(k, v) for k, v in pairs if k not in NOT_STATE and v != ""]), ds


def save(
    ws: Workspace,
    user: User,
    name: str,
    link: str,
    *,
    shared: bool = False,
    pinned: bool = False,
    version: int | None = None,
) -> SavedView:
    """Save (or save again) `link` as `name`. Pinned: to `version`, else the link's `ds`, else the
    latest version; otherwise the view follows the latest data."""
    if not access.can(user.role, "save_views"):
        raise InsightError(msg("saved.denied", role=user.role))
    name = _check_name(name)
    page, query = parse_link(link)
    query, ds = state(query)
    version = (version or ds or ws.version()) if pinned else None
    now = audit.now()
    with ws.writer() as cur:
        cur.execute(
            "INSERT INTO _saved_views (owner, name, page, query, shared, version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner, name) DO UPDATE SET page = excluded.page, "
            "query = excluded.query, shared = excluded.shared, version = excluded.version, "
            "updated_at = excluded.updated_at",
            [user.name, name, page, query, shared, version, now, now],
        )
    return find(ws, user, f"{user.name}/{name}")


def visible(ws: Workspace, user: User) -> list[SavedView]:
    """The views `user` may open: their own, then those shared by others, by name."""
    found = ws.query(
        "SELECT * FROM _saved_views WHERE owner = ? OR shared ORDER BY owner <> ?, lower(name), owner",
        [user.name, user.name],
    )
    return [_view(r) for r in found.to_dict("records")]


def find(ws: Workspace, user: User, ref: str) -> SavedView:
    """The view named `ref` (`name`, or `owner/name`) that `user` may open: their own first,
    then a shared one. An unknown or ambiguous name is refused with what to type instead."""
    owner, sep, name = ref.rpartition("/")
    views = visible(ws, user)
    if sep:
        found = [v for v in views if v.owner == owner and v.name == name]
    else:
        found = [v for v in views if v.name == ref and v.owner == user.name] or [v for v in views if v.name == ref]
    if not found:
        raise InsightError(msg("saved.unknown", name=ref), hint=msg("saved.unknown.hint"))
    if len(found) > 1:
        refs = ", ".join(v.ref for v in found)
        raise InsightError(msg("saved.ambiguous", name=ref, refs=refs))
    return found[0]


def remove(ws: Workspace, user: User, ref: str) -> SavedView:
    """Delete a view: its owner may, and an administrator may delete any shared view."""
    view = find(ws, user, ref)
    if view.owner != user.name and not access.can(user.role, "settings"):
        raise InsightError(msg("saved.not_yours", name=view.ref))
    with ws.writer() as cur:
        cur.execute("DELETE FROM _saved_views WHERE owner = ? AND name = ?", [view.owner, view.name])
    return view


def table(ws: Workspace, user: User) -> pd.DataFrame:
    """The views `user` may open, one row each (the CLI `views list`)."""
    cols = ["ref", "name", "owner", "page", "shared", "version", "link", "updated_at"]
    rows = [{c: getattr(v, c)() if c == "link" else getattr(v, c) for c in cols} for v in visible(ws, user)]
    return pd.DataFrame(rows, columns=cols)


def _view(row: dict) -> SavedView:
    version = row["version"]
    return SavedView(
        row["owner"],
        row["name"],
        row["page"],
        row["query"],
        bool(row["shared"]),
        None if version is None or pd.isna(version) else int(version),
        row["updated_at"],
    )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or "/" in name or any(unicodedata.category(c).startswith("C") for c in name):
        raise InsightError(msg("saved.bad_name", name=name), hint=msg("saved.bad_name.hint", n=MAX_NAME))
    return name
