"""The semantic layer's declarations (SPEC §6): every measure declared once, and the dimensions.

A measure is an SQL aggregate over one named table or fact (aliased `t`), a ratio of two
measures, or a figure a domain module computes from the scope (named here, never re-derived
elsewhere). Dimensions are the global filter dimensions (insight/semantic/filters.py `DIMENSIONS`)
with their sources per table. Pages, KPI cards, tooltips, the CLI `view` and the tests all read
this registry; queries over it are `insight.semantic.query.Query` objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from insight import settings
from insight.db import dialect
from insight.db.workspace import quote
from insight.i18n import Message, msg
from insight.semantic.filters import DIMENSIONS
from insight.semantic.scope import Scope

#: Orders in revenue. `_valid`, `_cust` and `_day` come from the orders fact (insight/db/facts.py).
VALID_ORDER = "t._valid"

DIMENSION_SOURCES = {d.key: d.sources for d in DIMENSIONS}

#: Priority words onto the four SLA levels.
PRIORITY_WORDS = {
    "urgent": ("urgent", "critical", "p1", "紧急", "特急"),
    "high": ("high", "p2", "高", "重要"),
    "medium": ("medium", "normal", "p3", "中", "一般"),
    "low": ("low", "p4", "低"),
}


def priority_level(expr: str) -> str:
    cases = " ".join(
        f"WHEN lower(trim({expr})) IN ({', '.join(repr(w) for w in words)}) THEN '{level}'"
        for level, words in PRIORITY_WORDS.items()
    )
    return f"CASE {cases} ELSE 'medium' END"


def sla_due(sla_hours: dict[str, float] | None = None, alias: str = "t") -> str:
    """SQL for created_at + the SLA hours of the ticket's priority."""
    hours = sla_hours or settings.SLA_HOURS
    level = priority_level(f"{alias}.priority")
    per_level = " ".join(f"WHEN '{k}' THEN {float(v)}" for k, v in hours.items())
    return dialect.plus_hours(f"{alias}.created_at", f"CASE {level} {per_level} END")


def _orders_count(cols, table, scope=None) -> str:
    # Invoices span several lines: the fact marks one line per order (`_order_first`).
    if "_order_first" in cols:
        return f"count(*) FILTER (WHERE {VALID_ORDER} AND t._order_first)"
    key = "t.order_id" if "order_id" in cols else "t._rowid"
    return f"count(DISTINCT {key}) FILTER (WHERE {VALID_ORDER})"


def distinct_customers(scope: Scope, condition: str = "true") -> str:
    """Exact count of distinct customers of the orders fact where `condition` holds.

    The fact's customer key is a dense integer, so the dialect may count it with a bitmap.
    """
    return dialect.distinct_count("t._cust", condition, scope.customer_keys)


def complaint_condition(cols) -> str:
    return "coalesce(t.is_complaint, true)" if "is_complaint" in cols else "true"


def due_sql(cols, alias: str = "t", precomputed: bool = True, sla_hours: dict[str, float] | None = None) -> str:
    """A ticket's deadline: its own `due_at`, else the SLA of its priority (medium without one).

    Under the default SLA hours the tickets fact has it precomputed as `_due`.
    """
    if precomputed and "_due" in cols and (sla_hours is None or sla_hours == settings.SLA_HOURS):
        return f"{alias}._due"
    if "priority" in cols:
        sla = sla_due(sla_hours, alias)
    else:
        sla = dialect.plus_hours(f"{alias}.created_at", settings.SLA_HOURS["medium"])
    return f"coalesce({alias}.due_at, {sla})" if "due_at" in cols else sla


def sla_from(extra: dict) -> tuple[dict[str, float] | None, list[Message]]:
    """SLA hours per priority from `sla=urgent,high,medium,low` (hours); None: the defaults."""
    raw = extra.get("sla")
    if raw is None:
        return None, []
    try:
        hours = [float(h) for h in raw.split(",")]
    except ValueError:
        hours = []
    if len(hours) != len(settings.SLA_HOURS) or not all(0 < h <= 24 * 365 for h in hours):
        return None, [msg("ignored.sla", value=raw, levels=", ".join(settings.SLA_HOURS))]
    given = dict(zip(settings.SLA_HOURS, hours, strict=True))
    return (None if given == settings.SLA_HOURS else given), []


def _on_time(cols, table, scope=None) -> str:
    due = due_sql(cols, sla_hours=sla_from(dict(scope.filters.extra))[0] if scope is not None else None)
    resolved = "t.resolved_at IS NOT NULL AND t.resolved_at >= t.created_at"
    return f"avg(CASE WHEN t.resolved_at <= {due} THEN 1.0 ELSE 0.0 END) FILTER (WHERE {resolved})"


def satisfied_threshold(table: str) -> str:
    """SQL for the lowest satisfied score. The scale comes from the whole table: a maximum above 5
    means 1-10 (satisfied >= 8), else 1-5 (satisfied >= 4)."""
    return f"(SELECT CASE WHEN max(satisfaction) > 5 THEN 8 ELSE 4 END FROM {table})"


def _satisfied(cols, table: str, scope=None) -> str:
    threshold = satisfied_threshold(table)
    return (
        f"avg(CASE WHEN t.satisfaction >= {threshold} THEN 1.0 ELSE 0.0 END) FILTER (WHERE t.satisfaction IS NOT NULL)"
    )


@dataclass(frozen=True)
class Metric:
    """One measure, declared once: its id (labels `metric.<id>` and definitions `metric.<id>.def`
    in the catalog), how it is computed, its format and whether up is good.

    Computed one of three ways: an SQL aggregate `expr` over `table` (aliased `t`); a `ratio` of
    two other measures; or `compute`, a "module:function" of a domain module taking the scope
    (figures that need more than one aggregate, e.g. churn by lapses or a campaign's uplift)."""

    id: str
    table: str | None  # the table it measures (None: a ratio)
    expr: Callable[..., str] | None  # (columns, quoted table, scope) -> SQL
    needs: tuple[str, ...] = ()  # columns of `table` it reads
    fmt: str = "int"  # int | money | pct | num | per1000
    up_is_good: bool = True
    ratio: tuple[str, str, float] | None = None  # (numerator id, denominator id, multiplier)
    period: bool = True  # restricted to the period (False: a state, e.g. churned customers)
    rollup: str | None = None  # the same measure over its table's rollup (insight/semantic/rollups.py)
    compute: str | None = None  # "module:function" (scope) -> value
    #: The rows it counts (a condition on `t`, also inside `expr`): a scan whose measures all count
    #: the same rows reads only those, and a split shows no group without them.
    rows: str | None = None
    #: What a computed measure needs: any one of these (table, columns) will do.
    requires: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def label(self) -> str:
        return f"metric.{self.id}"

    @property
    def definition(self) -> str:
        return f"metric.{self.id}.def"

    @property
    def additive(self) -> bool:
        """A count or a sum: 0 where there is no row (an average is unknown there)."""
        return self.fmt in ("int", "money") and not self.ratio and not self.compute


def _m(id, table, expr, needs=(), **kw) -> Metric:
    fn = expr if callable(expr) else (lambda cols, table, scope=None, e=expr: e)
    return Metric(id, table, fn, tuple(needs), **kw)


def _segment_share(condition: str) -> str:
    """Share of the active customers' revenue (M) where `condition` holds (segment table `t`)."""
    total = "sum(t.monetary) FILTER (WHERE t.active)"
    return f"sum(t.monetary) FILTER (WHERE t.active AND {condition}) / nullif({total}, 0)"


def _equity(cols, table, scope) -> str:
    from insight.domain import customer_value  # CLV's inputs (retention) are measured on the segment table

    return f"sum({customer_value.clv_inputs(scope).sql('t')}) FILTER (WHERE t.active)"


def unique_customers(scope: Scope) -> bool:
    """Whether the customers table's ids are unique (checked once per version)."""
    physical = scope.snap.tables["customers"]
    key = f"{physical}:unique:customer_id"
    if key not in scope.ws._facts_meta:
        sql = f"SELECT count(DISTINCT customer_id) = count(customer_id) FROM {quote(physical)}"
        scope.ws._facts_meta[key] = bool(scope.ws.scalar(sql))
    return scope.ws._facts_meta[key]


def _customer_count(scope: Scope) -> str:
    """Distinct customers of the customers table: a plain count where its ids are unique (hashing
    every id text again was most of a filtered KPI card's time)."""
    return "count(t.customer_id)" if unique_customers(scope) else "count(DISTINCT t.customer_id)"


def _linked(cols, table, scope) -> str:
    if "customer_id" not in cols or not scope.has("customers", "customer_id"):
        return "0"
    known = f"t.customer_id IN (SELECT customer_id FROM {scope.table('customers')})"
    return f"count(*) FILTER (WHERE {complaint_condition(cols)} AND {known})"


def _share(part: str, whole: str) -> str:
    """An average over a rollup (insight/semantic/rollups.py) that keeps its sum and count."""
    return f"CAST(sum(t.{part}) AS DOUBLE) / nullif(sum(t.{whole}), 0)"


def _computed(id: str, function: str, requires, **kw) -> Metric:
    return Metric(id, requires[0][0], None, compute=function, requires=requires, **kw)


#: Campaign measures need contacts; churn measures the customers' flag, else orders to see lapses in.
_CONTACTS = (("contacts", ()),)
_CHURN = (("customers", ("churned",)), ("orders", ("customer_id", "order_date")))

REGISTRY: dict[str, Metric] = {
    m.id: m
    for m in (
        _m(
            "revenue",
            "orders",
            f"coalesce(sum(t.amount) FILTER (WHERE {VALID_ORDER}), 0)",
            ("amount",),
            fmt="money",
            rollup="coalesce(sum(t.revenue), 0)",
            rows=VALID_ORDER,
        ),
        _m("orders", "orders", _orders_count, ("order_date",), rollup="coalesce(sum(t.orders), 0)", rows=VALID_ORDER),
        Metric("aov", None, None, fmt="money", ratio=("revenue", "orders", 1.0)),
        _m(
            "active_customers",
            "orders",
            lambda c, tbl, scope: distinct_customers(scope, VALID_ORDER),
            ("customer_id",),
            rows=VALID_ORDER,
        ),
        _m(
            "customers",
            "customers",
            lambda c, tbl, scope: _customer_count(scope),
            ("customer_id",),
            period=False,
            rollup="coalesce(sum(t.n), 0)",
        ),
        _m(
            "churned_customers",
            "customers",
            lambda c, tbl, scope: f"{_customer_count(scope)} FILTER (WHERE t.churned)",
            ("churned",),
            up_is_good=False,
            period=False,
            rollup="coalesce(sum(t.n) FILTER (WHERE t.churned), 0)",
        ),
        # The definition in force (SPEC §6): churned_customers / customers under the flag, else
        # (or when asked) lapses among the customers active at month starts.
        _computed(
            "churn_rate", "insight.domain.churn_measures:churn_rate", _CHURN, fmt="pct", up_is_good=False, period=False
        ),
        # Every ticket created in the period (Channel mix's service table counts them per channel
        # in the scan of its other ticket measures).
        _m("tickets", "tickets", "count(*)", ("created_at",), up_is_good=False, rollup="coalesce(sum(t.tickets), 0)"),
        _m(
            "complaints",
            "tickets",
            lambda c, tbl, scope=None: f"count(*) FILTER (WHERE {complaint_condition(c)})",
            ("created_at",),
            up_is_good=False,
            rollup="coalesce(sum(t.complaints), 0)",
        ),
        # Complaints whose customer is in the customers table (the coverage note of complaints per
        # 1,000 customers).
        _m(
            "linked_complaints",
            "tickets",
            _linked,
            ("created_at", "customer_id"),
            up_is_good=False,
            rollup="coalesce(sum(t.linked), 0)",
        ),
        Metric(
            "complaint_rate", None, None, fmt="per1000", up_is_good=False, ratio=("complaints", "customers", 1000.0)
        ),
        _m(
            "on_time_rate",
            "tickets",
            _on_time,
            ("created_at", "resolved_at"),
            fmt="pct",
            rollup=_share("on_time", "resolved"),
        ),
        _m(
            "fcr_rate",
            "tickets",
            "avg(CAST(t.first_contact_resolved AS DOUBLE))",
            ("first_contact_resolved",),
            fmt="pct",
            rollup=_share("fcr_sum", "fcr_n"),
        ),
        _m("csat", "tickets", "avg(t.satisfaction)", ("satisfaction",), fmt="num", rollup=_share("csat_sum", "csat_n")),
        _m("csat_satisfied_share", "tickets", _satisfied, ("satisfaction",), fmt="pct"),
        # Segments: the period's segment table (insight/domain/segments.py), one row per customer
        # with a counted order up to the period end; the measures count its active customers.
        _m("segment_customers", "segments", "count(*) FILTER (WHERE t.active)", period=False),
        _m("segment_revenue", "segments", "sum(t.monetary) FILTER (WHERE t.active)", fmt="money", period=False),
        _m("pareto_top20_share", "segments", _segment_share("t.top20"), fmt="pct", period=False),
        *(
            _m(f"{tier}_share", "segments", _segment_share(f"t.tier = '{tier}'"), fmt="pct", period=False)
            for tier in ("diamond", "gold", "silver", "basic")
        ),
        _m("customer_equity", "segments", _equity, fmt="money", period=False),
        # Campaigns (insight/domain/campaigns.py): over the treatment contacts of the campaigns in scope.
        *(
            _computed(mid, f"insight.domain.campaigns:{fn}", _CONTACTS, fmt="pct")
            for mid, fn in (
                ("response_rate", "response_rate"),
                ("conversion_rate", "conversion_rate"),
                ("roi", "roi"),
                ("uplift", "uplift_rate"),  # `uplift` is the per-campaign test
            )
        ),
        # Churn (insight/domain/churn.py), under the definition in force (explicit or behavioural).
        _computed("churn_base", "insight.domain.churn_measures:churn_base", _CHURN, period=False),
        _computed("retention_m3", "insight.domain.churn_measures:retention_m3", _CHURN[1:], fmt="pct"),
        _computed(
            "complaint_churn_gap",
            "insight.domain.churn_measures:complaint_churn_gap",
            _CHURN,
            fmt="pts",
            up_is_good=False,
            period=False,
        ),
    )
}


def available(scope: Scope, metric_id: str) -> bool:
    return missing(scope, metric_id) is None


def missing(scope: Scope, metric_id: str) -> str | None:
    """What the data lacks for a metric: a table (`tickets`) or a column (`tickets.satisfaction`);
    None when it can be computed."""
    m = REGISTRY[metric_id]
    if m.table == "segments":  # computed from the orders of identified customers
        return _lacks(scope, "orders", ("customer_id",))
    if m.requires:  # any one of the alternatives will do; else the first one's gap
        gaps = [_lacks(scope, table, cols) for table, cols in m.requires]
        return None if None in gaps else gaps[0]
    if m.ratio:
        return missing(scope, m.ratio[0]) or missing(scope, m.ratio[1])
    return _lacks(scope, m.table, m.needs)


def _lacks(scope: Scope, table: str, cols: tuple[str, ...]) -> str | None:
    if not scope.snap.has(table):
        return table
    return next((f"{table}.{c}" for c in cols if c not in scope.columns.get(table, ())), None)


def source_table(metric_id: str) -> str | None:
    """The table a metric measures (a ratio: its numerator's)."""
    m = REGISTRY[metric_id]
    return m.table or (source_table(m.ratio[0]) if m.ratio else None)


def timed(metric_id: str) -> bool:
    """Whether a metric measures a period (so it has a comparison), not a state such as a churned
    flag. A ratio follows its numerator (complaints per 1,000 customers is a period figure)."""
    m = REGISTRY[metric_id]
    return timed(m.ratio[0]) if m.ratio else m.period
