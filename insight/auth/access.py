"""Who may do what (roles), and which rows they may see (row scopes).

Roles are cumulative (SPEC §10): viewer < analyst (+ rows, exports, saved views, schedules,
alerts, notes) < marketer
(+ uploads, edits of the data) < admin (+ deletes, users, settings, audit).

A row scope limits a user to dimension values (`region=East`, `channel=Store,App`). It is applied
where every query starts: `Scope.open` swaps each table of the snapshot for a view of the rows the
scope allows (`restrict`) before the facts, segment tables and models are built on it, so nothing
downstream can read a row outside it, and every derived table and cache is keyed by the scope.

Default deny: a user without a scope sees no row (the administrator gives `all`, or values); a
table the scope cannot restrict (it has no such column, nor a customer to look it up through)
shows no row; a scope whose values match nothing shows nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace

from insight.db.facts import FACT_TABLES
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
_PREFIX = "_rows_"


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
        """A link's filters within the scope: a link carries filters, never rights. Values outside
        the scope are dropped with a note (as values not in the data are), so the same link
        gives the same user the same numbers in the app and the CLI."""
        notes, dims = [], []
        for key, values in filters.dims:
            allowed = self.allowed(key)
            kept = tuple(v for v in values if allowed is None or v in allowed)
            if len(kept) < len(values):
                removed = [v for v in values if v not in kept]
                notes.append(msg("ignored.outside_rows", dim=key, values=", ".join(removed)))
            if kept:
                dims.append((key, kept))
        return replace(filters, dims=tuple(dims)), notes


def restrict(ws: Workspace, snap: Snapshot, rows: RowScope) -> Snapshot:
    """`snap` with each table replaced by the rows `rows` allows, built once per scope and table
    version and dropped with the version (`drop_stale`). Orders and tickets become views, read
    once by their scoped fact (insight/db/facts.py); the other tables are copied, since queries on
    them use `rowid`, which a view lacks."""
    if rows.everything:
        return snap
    key = rows.key
    _register(ws, rows)
    columns = {t: set(ws.columns(t, snap)) for t in snap.tables}
    tables = {}
    for table, physical in snap.tables.items():
        name = f"{_PREFIX}{key}_{physical}"
        if name not in ws._facts:
            sql = f"SELECT * FROM {quote(physical)} t WHERE {_condition(rows, table, snap, columns)}"
            kind = "VIEW" if table in FACT_TABLES else "TABLE"
            with ws.writer() as cur:
                cur.execute(f"CREATE {kind} IF NOT EXISTS {quote(name)} AS {sql}")
            ws.created(name, kind, sql)
            ws._facts.add(name)
        tables[table] = name
    return replace(snap, tables=tables, rows=key)


def _register(ws: Workspace, rows: RowScope) -> None:
    """Store the scope's values, which its views read (so no value is ever spliced into SQL)."""
    marker = f"{_PREFIX}{rows.key}"
    if marker in ws._facts or not rows.rules:
        return
    with ws.writer() as cur:
        if not cur.execute("SELECT count(*) FROM _scope_values WHERE scope = ?", [rows.key]).fetchone()[0]:
            cur.executemany(
                "INSERT INTO _scope_values VALUES (?, ?, ?)", [(rows.key, k, v) for k, vs in rows.rules for v in vs]
            )
    ws._facts.add(marker)


def _condition(rows: RowScope, table: str, snap: Snapshot, columns: dict[str, set[str]]) -> str:
    """SQL keeping the rows of `table` (aliased `t`) inside every rule; `false` for a rule the
    table cannot be checked against. A row's own value wins; a row without one (or a table
    without the column) is judged by its customer's value, as the facts and filters do."""
    if not rows.rules:
        return "false"
    if not re.fullmatch(r"[0-9a-f]{12}", rows.key):  # the key is the only literal in the view
        raise AssertionError(rows.key)
    parts = []
    for key, _ in rows.rules:
        values = f"SELECT value FROM _scope_values WHERE scope = '{rows.key}' AND dim = '{key}'"
        own, joined = None, None
        for source in _DIMS[key].sources.get(table, ()):
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


def drop_stale(cur, ws: Workspace, tables: set[str]) -> None:
    """Inside a writer: drop the scoped tables and views whose table version is gone."""
    found = cur.execute(
        "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE starts_with(view_name, $p) "
        "UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE starts_with(table_name, $p)",
        {"p": _PREFIX},
    ).fetchall()
    for name, kind in found:
        physical = name.removeprefix(_PREFIX).split("_", 1)[-1]
        if physical not in tables:
            cur.execute(f"DROP {kind} IF EXISTS {quote(name)}")
            ws._facts.discard(name)
