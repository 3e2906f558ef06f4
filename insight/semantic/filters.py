"""One `Filters` value: the view state of SPEC §5, to and from the URL, compiled to SQL.

Filters are frozen and validated. They compile to `(where_sql, params)` with column names taken
from `DIMENSIONS` only, and user values only ever as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from insight.db.workspace import Snapshot, quote
from insight.i18n import Message, msg

CMP_CHOICES = ("prev", "yoy", "none")
DEFAULT_CMP = "prev"


@dataclass(frozen=True)
class Dimension:
    key: str  # URL key
    label: str  # catalog key
    #: where the value lives, per table: a column of that table, or "customers.<col>" (joined
    #: through customer_id), or "orders.<col>" (customers who ordered through it).
    sources: dict[str, tuple[str, ...]]


_EVENTS = ("orders", "tickets", "customers", "contacts")

#: Global filter dimensions in URL order. Each source is tried in turn; the first whose column
#: exists in the snapshot is used.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "region",
        "dim.region",
        {
            "orders": ("region", "customers.region"),
            "tickets": ("region", "customers.region"),
            "customers": ("region",),
            "contacts": ("customers.region",),
            "segments": ("customers.region", "orders.region"),
        },
    ),
    Dimension(
        "segment",
        "dim.segment",
        {
            "orders": ("segment", "customers.segment"),
            "tickets": ("segment", "customers.segment"),
            "customers": ("segment",),
            "contacts": ("customers.segment",),
            "segments": ("customers.segment", "orders.segment"),
        },
    ),
    # The RFM segment and the value tier are computed (insight/domain/segments.py) per data version
    # and period, into the `segments` table of the scope.
    Dimension("rfm", "dim.rfm", {**{t: ("segments.rfm",) for t in _EVENTS}, "segments": ("rfm",)}),
    Dimension("tier", "dim.tier", {**{t: ("segments.tier",) for t in _EVENTS}, "segments": ("tier",)}),
    Dimension(
        "channel",
        "dim.channel",
        {
            "orders": ("channel",),
            "tickets": ("channel",),
            # Customers "in" a channel are those who ordered through it: the small
            # customer × channel fact answers that without scanning every order.
            "customers": ("customer_channels.channel", "orders.channel"),
            "segments": ("customer_channels.channel",),
        },
    ),
    Dimension(
        "category",
        "dim.category",
        {
            "orders": ("category",),
            "tickets": ("category",),
            "segments": ("orders.category",),
        },
    ),
    Dimension(
        "product",
        "dim.product",
        {
            "orders": ("product",),
            "segments": ("orders.product",),
        },
    ),
    Dimension(
        "campaign",
        "dim.campaign",
        {
            "orders": ("contacts.campaign_id",),
            "tickets": ("contacts.campaign_id",),
            "customers": ("contacts.campaign_id",),
            "contacts": ("campaign_id",),
            "campaigns": ("campaign_id",),
            "segments": ("contacts.campaign_id",),
        },
    ),
)
#: Dimensions whose values are codes the app defines (shown translated), not values of the data.
COMPUTED_DIMENSIONS = ("rfm", "tier")
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)
_BY_KEY = {d.key: d for d in DIMENSIONS}

#: The time column of each table, for the from/to period.
TIME_COLUMNS = {
    "orders": "order_date",
    "tickets": "created_at",
    "customers": "signup_date",
    "contacts": "contacted_at",
    "campaigns": "start_date",
}

MAX_VALUES = 200  # values per dimension in a URL; more is not a filter a person set


def whole_number(raw: str | None) -> int | None:
    """A URL value as a whole number, or None. Only ASCII digits count: `²`, `①` and `٣` pass
    `str.isdigit()` but not `int()`."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() else None


@dataclass(frozen=True)
class Filters:
    ds: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    cmp: str = DEFAULT_CMP
    dims: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The page's options (`tab=clusters`, `k=5`): canonical and valid once parsed with the page's
    #: declared schema (`insight.views.options.parse`); a key may repeat (`cohorts`).
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=True)

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def from_query(cls, query: str | dict) -> tuple[Filters, list[Message]]:
        """Parse a query string (or a dict of lists/values). Invalid values are dropped, each
        with a note a person can read; nothing here raises on user input."""
        if isinstance(query, str):
            text = urlsplit(query).query if ("?" in query or "://" in query) else query
            params = parse_qs(text, keep_blank_values=False)
        else:
            params = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
        notes: list[Message] = []

        def one(key: str) -> str | None:
            values = [v for v in params.get(key, []) if v != ""]
            return values[-1] if values else None

        ds = None
        if (raw := one("ds")) is not None:
            ds = whole_number(raw)
            if ds is None:
                notes.append(msg("ignored.ds", value=raw))
        start = _date(one("from"), "from", notes)
        end = _date(one("to"), "to", notes)
        if start and end and start > end:
            notes.append(msg("ignored.period", start=start, end=end))
            start = end = None
        cmp = one("cmp") or DEFAULT_CMP
        if cmp not in CMP_CHOICES:
            notes.append(msg("ignored.cmp", value=cmp, choices=", ".join(CMP_CHOICES)))
            cmp = DEFAULT_CMP
        dims = []
        for key in DIMENSION_KEYS:
            values = tuple(dict.fromkeys(v.strip() for v in params.get(key, []) if v.strip()))
            if len(values) > MAX_VALUES:
                notes.append(msg("ignored.values", param=key, count=MAX_VALUES))
                values = values[:MAX_VALUES]
            if values:
                dims.append((key, values))
        known = {"ds", "from", "to", "cmp", *DIMENSION_KEYS, "lang"}
        extra = tuple((k, v) for k in sorted(params) if k not in known for v in params[k] if v != "")
        return cls(ds, start, end, cmp, tuple(dims), extra), notes

    def option(self, key: str) -> str | None:
        """The URL value of the page option `key` (the last one), or None."""
        values = [v for k, v in self.extra if k == key]
        return values[-1] if values else None

    def values(self, key: str) -> tuple[str, ...]:
        return dict(self.dims).get(key, ())

    def to_params(self) -> dict[str, list[str]]:
        """Readable URL parameters; defaults omitted."""
        out: dict[str, list[str]] = {}
        if self.ds is not None:
            out["ds"] = [str(self.ds)]
        if self.start:
            out["from"] = [self.start.isoformat()]
        if self.end:
            out["to"] = [self.end.isoformat()]
        if self.cmp != DEFAULT_CMP:
            out["cmp"] = [self.cmp]
        for key, values in self.dims:
            out[key] = list(values)
        for key, value in self.extra:
            out.setdefault(key, []).append(value)
        return out

    def describe(self) -> list[dict[str, str]]:
        """One row per active filter, for captions and the side sheet of exports."""
        out = [{"filter": k, "values": ", ".join(v)} for k, v in self.to_params().items()]
        return out or [{"filter": "(none)", "values": ""}]

    def to_query(self) -> str:
        return urlencode(self.to_params(), doseq=True)

    # --- SQL -------------------------------------------------------------------------------

    def where(
        self,
        table: str,
        snap: Snapshot,
        columns: dict[str, set[str]],
        period: tuple[dt.date, dt.date] | None = None,
        alias: str = "t",
    ) -> tuple[str, list]:
        """`(sql, params)` restricting `table` (aliased `alias`) to these filters and `period`.

        `columns` maps each table in the snapshot to its column names, so a dimension a table
        lacks is skipped rather than failing.
        """
        clauses, params = [], []
        time_col = TIME_COLUMNS.get(table)
        if period and time_col in columns.get(table, set()):
            clauses.append(f"{alias}.{quote(time_col)} >= ? AND {alias}.{quote(time_col)} < ?")
            params += [period[0], period[1] + dt.timedelta(days=1)]
        for dim in DIMENSIONS:
            values = self.values(dim.key)
            if not values:
                continue
            sql = _dimension_sql(dim, table, snap, columns, alias)
            if sql is None:
                continue
            placeholders = ", ".join("?" for _ in values)
            clauses.append(sql.format(values=placeholders))
            params += list(values)
        return (" AND ".join(clauses) or "true"), params

    def unapplied(self, table: str, snap: Snapshot, columns: dict[str, set[str]]) -> list[str]:
        """The active dimensions that cannot restrict `table` (its rows have no such value)."""
        return [key for key, _ in self.dims if _source(_BY_KEY[key], table, columns) is None]

    def lookups(self, table: str, columns: dict[str, set[str]]) -> list[str]:
        """The active dimensions that restrict `table` through another table (the rows of its
        customers there, a lookup by customer_id), not by a column of its own."""
        return [key for key, _ in self.dims if (found := _source(_BY_KEY[key], table, columns)) and found[0] != table]


def _source(dim: Dimension, table: str, columns) -> tuple[str, str] | None:
    """(the table `dim` is read from for `table`: itself or one its customers are looked up in,
    the column), or None where neither has it."""
    for source in dim.sources.get(table, ()):
        other, _, col = source.rpartition(".")
        if not other:
            if col in columns.get(table, set()):
                return table, col
            continue
        if (
            col in columns.get(other, set())
            and "customer_id" in columns.get(table, set())
            and "customer_id" in columns.get(other, set())
        ):
            return other, col
    return None


def _dimension_sql(dim: Dimension, table: str, snap: Snapshot, columns, alias: str) -> str | None:
    if (found := _source(dim, table, columns)) is None:
        return None
    other, col = found
    if other == table:
        return f"CAST({alias}.{quote(col)} AS VARCHAR) IN ({{values}})"
    return (
        f"{alias}.customer_id IN (SELECT customer_id FROM {snap[other]} "
        f"WHERE CAST({quote(col)} AS VARCHAR) IN ({{values}}))"
    )


def _date(raw: str | None, key: str, notes: list[Message]) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        notes.append(msg("ignored.date", param=key, value=raw))
        return None


def dimension_values(ws, snap: Snapshot, columns: dict, key: str, limit: int = 5000) -> list[str]:
    """The distinct values a dimension takes in the snapshot, for the filter widgets."""
    dim = next(d for d in DIMENSIONS if d.key == key)
    selects = []
    seen = set()
    for table, sources in dim.sources.items():
        for source in sources:
            other, _, col = source.rpartition(".")
            owner = other or table
            if (owner, col) in seen or col not in columns.get(owner, set()):
                continue
            seen.add((owner, col))
            selects.append(f"SELECT DISTINCT CAST({quote(col)} AS VARCHAR) AS v FROM {snap[owner]}")
    if not selects:
        return []
    sql = f"SELECT DISTINCT v FROM ({' UNION ALL '.join(selects)}) WHERE v IS NOT NULL ORDER BY v LIMIT {limit}"
    return ws.query(sql)["v"].tolist()
