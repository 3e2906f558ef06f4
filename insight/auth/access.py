"""Who may do what (roles), and which rows they may see (row scopes).

Roles are cumulative (SPEC §10): viewer < analyst (+ rows, exports, saved views, schedules,
alerts, notes) < marketer
(+ uploads, edits of the data) < admin (+ deletes, users, settings, audit).

A row scope limits a user to dimension values (`region=East`, `channel=Store,App`). It is applied
where every query starts: `Scope.open` reads each table of the snapshot (the facts included)
through a predicate keeping the rows the scope allows (`restrict`), so nothing downstream can read
a row outside it, and every derived table and cache is keyed by the scope. Nothing is copied.

Default deny: a user without a scope sees no row (the administrator gives `all`, or values); a
table the scope cannot restrict (it has no such column, nor a customer to look it up through)
shows no row; a scope whose values match nothing shows nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from insight.db import dialect
from insight.db.workspace import Snapshot, Workspace, quote
from insight.errors import InsightError
from insight.i18n import Message, msg
from insight.semantic.filters import DIMENSIONS, Filters

ROLES = ("viewer", "analyst", "marketer", "admin")
#: The smallest role that may do each thing beyond browsing pages, drilling and sharing links.
ACTIONS = {
    "rows": "analyst",  # View rows
    "export": "analyst",  # CSV / Excel downloads, target and retention lists
    "save_views": "analyst",  # saved views, report schedules of them, alert rules, chart notes
    "upload": "marketer",  # imports (replace, append)
    "edit": "marketer",  # changes to the data from a page (accepted category suggestions)
    "delete": "admin",
    "users": "admin",
    "audit": "admin",
    "settings": "admin",
}
#: Pages that need more than a viewer.
PAGE_ROLES = {"data": "marketer", "admin": "admin"}
#: Dimensions a row scope may limit (the computed RFM segment and value tier change with the period).
SCOPE_DIMENSIONS = ("region", "segment", "channel", "category", "product", "campaign")
_DIMS = {d.key: d for d in DIMENSIONS}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InsightError(msg("access.bad_role", role=role), hint=msg("access.roles", roles=", ".join(ROLES)))
    return role


def can(role: str | None, action: str) -> bool:
    """Whether `role` may do `action` (see ACTIONS)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(ACTIONS[action])


def may_open(role: str | None, page: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(PAGE_ROLES.get(page, "viewer"))


@dataclass(frozen=True)
class RowScope:
    """The rows a user may see: everything, or the rows whose dimensions take the given values
    (AND across dimensions, OR within one). `RowScope()` (no rule) sees nothing."""

    rules: tuple[tuple[str, tuple[str, ...]], ...] = ()
    everything: bool = False

    @classmethod
    def all(cls) -> RowScope:
        return cls(everything=True)

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...]) -> RowScope:
        """From `DIM=V[,V]` items (the CLI's `--scope`), or `all`."""
        if any(i.strip().lower() == "all" for i in items):
            return cls.all()
        rules: dict[str, list[str]] = {}
        for item in items:
            key, sep, values = item.partition("=")
            key = key.strip()
            chosen = [v.strip() for v in values.split(",") if v.strip()]
            if not sep or key not in SCOPE_DIMENSIONS or not chosen:
                raise InsightError(
                    msg("access.bad_scope", item=item), hint=msg("access.scope.hint", dims=", ".join(SCOPE_DIMENSIONS))
                )
            rules.setdefault(key, [])
            rules[key] += [v for v in chosen if v not in rules[key]]
        return cls.of(rules)

    @classmethod
    def of(cls, rules: dict[str, list[str] | tuple[str, ...]]) -> RowScope:
        return cls(tuple(sorted((k, tuple(sorted(set(v)))) for k, v in rules.items() if v)))

    @classmethod
    def from_json(cls, raw: str | None) -> RowScope:
        data = json.loads(raw) if raw else {}
        if data.get("all"):
            return cls.all()
        return cls.of({k: v for k, v in data.get("rules", {}).items() if k in SCOPE_DIMENSIONS})

    def to_json(self) -> str:
        return json.dumps({"all": True} if self.everything else {"rules": {k: list(v) for k, v in self.rules}})

    @property
    def key(self) -> str:
        """A short name for the scope (in view, fact and cache names): `all`, `none` or a digest."""
        if self.everything:
            return "all"
        if not self.rules:
            return "none"
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def allowed(self, dim: str) -> tuple[str, ...] | None:
        """The values of `dim` the scope allows; None when it does not limit `dim`."""
        if self.everything:
            return None
        return dict(self.rules).get(dim, None if self.rules else ())

    def describe(self) -> str:
        if self.everything:
            return "all"
        return "; ".join(f"{k}={','.join(v)}" for k, v in self.rules) or "none"

    def intersect(self, filters: Filters) -> tuple[Filters, list[Message]]:
        """A link's filters within the scope: a link carries filters, never rights. The figures
        are the link's filters AND the scope's rows, so the filters are kept as they are: a value
        outside the scope selects no row the user may see. A note names those values; a link
        whose values of one dimension all lie outside the scope shows nothing (`excludes`)."""
        notes = []
        for key, values in filters.dims:
            allowed = self.allowed(key)
            outside = [v for v in values if allowed is not None and v not in allowed]
            if outside and len(outside) == len(values):
                notes.append(msg("ignored.link_outside", dim=key, values=", ".join(outside)))
            elif outside:
                notes.append(msg("ignored.outside_rows", dim=key, values=", ".join(outside)))
        return filters, notes

    def excludes(self, filters: Filters) -> bool:
        """Whether `filters` select nothing within the scope: every value a link asks for of
        some dimension lies outside it (a West-only link opened by an East-only user)."""
        for key, values in filters.dims:
            allowed = self.allowed(key)
            if allowed is not None and not set(values) & set(allowed):
                return True
        return False


def restrict(ws: Workspace, snap: Snapshot, rows: RowScope) -> Snapshot:
    """`snap` whose every table reads only the rows `rows` allows: a predicate on the table (its
    relation, `snap[table]`), compiled here for every query to start from. Nothing is written:
    no per-scope copy or view exists, the facts and tables stay shared by every user. The
    relation keeps `rowid` (queries break ties and count lines by it)."""
    if rows.everything:
        return snap
    columns = {t: set(ws.columns(t, snap)) for t in snap.tables}
    relations = {}
    for table, physical in snap.tables.items():
        rowid = "" if "rowid" in columns[table] else f"{dialect.row_id('t')} AS rowid, "
        relations[table] = f"(SELECT {rowid}* FROM {quote(physical)} t WHERE {_condition(rows, table, snap, columns)})"
    return replace(snap, rows=rows.key, relations=relations)


def _condition(rows: RowScope, table: str, snap: Snapshot, columns: dict[str, set[str]]) -> str:
    """SQL keeping the rows of `table` (aliased `t`) inside every rule; `false` for a rule the
    table cannot be checked against. A row's own value wins; a row without one (or a table
    without the column) is judged by its customer's value, as the facts and filters do.

    The scope's values (set by an administrator) are SQL string literals written by the dialect
    (sqlglot escapes them), since the relation is spliced into statements whose own parameters
    are bound in order."""
    if not rows.rules:
        return "false"
    parts = []
    rows_of = "orders" if table == "first_orders" else table  # some of the orders fact's rows, every column
    for key, allowed in rows.rules:
        values = ", ".join(dialect.literal(v) for v in allowed)
        own, joined = None, None
        if rows_of not in _DIMS[key].sources and key in columns[table]:  # a table built from a fact (the rollup)
            own = f"CAST(t.{quote(key)} AS VARCHAR)"
        for source in _DIMS[key].sources.get(rows_of, ()):
            other, _, col = source.rpartition(".")
            if not other:
                own = own or (f"CAST(t.{quote(col)} AS VARCHAR)" if col in columns[table] else None)
            elif joined is None and col in columns.get(other, ()) and _linked(columns, table, other):
                joined = (
                    f"t.customer_id IN (SELECT customer_id FROM {quote(snap.tables[other])} "
                    f"WHERE CAST({quote(col)} AS VARCHAR) IN ({values}))"
                )
        if own and joined:
            parts.append(f"({own} IN ({values}) OR ({own} IS NULL AND {joined}))")
        else:
            parts.append(f"{own} IN ({values})" if own else joined or "false")
    return " AND ".join(f"coalesce({p}, false)" for p in parts)


def _linked(columns: dict[str, set[str]], table: str, other: str) -> bool:
    return "customer_id" in columns[table] and "customer_id" in columns.get(other, ())


def drop_legacy(cur) -> None:
    """Inside a writer: drop the per-scope tables and views older versions made (`_rows_…`)."""
    for kind in ("view", "table"):
        for (name,) in cur.execute(dialect.stored(kind, "\\_rows\\_%")).fetchall():
            cur.execute(f"DROP {kind.upper()} IF EXISTS {quote(name)}")
