"""The metric registry (SPEC §6): each metric declared once and computed one way everywhere.

A metric is an aggregate over one canonical table (aliased `t`), or a ratio of two metrics.
KPI cards, tooltips, the CLI `view` and the tests all read this registry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from insight import settings
from insight.db.workspace import quote
from insight.i18n import Message, msg
from insight.semantic.filters import DIMENSIONS, TIME_COLUMNS
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
    return f"{alias}.created_at + to_microseconds(CAST((CASE {level} {per_level} END) * 3600e6 AS BIGINT))"


def _orders_count(cols, table, scope=None) -> str:
    # Invoices span several lines: the fact marks one line per order (`_order_first`).
    if "_order_first" in cols:
        return f"count(*) FILTER (WHERE {VALID_ORDER} AND t._order_first)"
    key = "t.order_id" if "order_id" in cols else "t._rowid"
    return f"count(DISTINCT {key}) FILTER (WHERE {VALID_ORDER})"


def distinct_customers(scope: Scope, condition: str = "true") -> str:
    """Exact count of distinct customers of the orders fact where `condition` holds.

    The fact's customer key is a dense integer, so a bitmap of the customers (DuckDB's
    `bitstring_agg`) counts them several times faster than a hash-based count(DISTINCT).
    """
    top = scope.customer_keys
    if not top:
        return f"count(DISTINCT t._cust) FILTER (WHERE {condition})"
    bitmap = f"bitstring_agg(t._cust, 1, {int(top)}) FILTER (WHERE t._cust IS NOT NULL AND {condition})"
    return f"coalesce(bit_count({bitmap}), 0)"


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
        sla = f"{alias}.created_at + INTERVAL {settings.SLA_HOURS['medium']} HOUR"
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
    id: str
    table: str | None  # None: a ratio of two other metrics
    expr: Callable[..., str] | None  # (columns, quoted table, scope) -> SQL
    needs: tuple[str, ...] = ()
    fmt: str = "int"  # int | money | pct | num | per1000
    up_is_good: bool = True
    ratio: tuple[str, str, float] | None = None  # (numerator id, denominator id, multiplier)
    period: bool = True  # restricted to the period (False: a state, e.g. churned customers)
    rollup: str | None = None  # the same measure over the orders rollup (additive metrics only)
    derived: str | None = None  # computed by that module (e.g. "segments"), not by SQL here

    @property
    def label(self) -> str:
        return f"metric.{self.id}"

    @property
    def definition(self) -> str:
        return f"metric.{self.id}.def"


def _m(id, table, expr, needs=(), **kw) -> Metric:
    fn = expr if callable(expr) else (lambda cols, table, scope=None, e=expr: e)
    return Metric(id, table, fn, tuple(needs), **kw)


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
        ),
        _m("orders", "orders", _orders_count, ("order_date",), rollup="coalesce(sum(t.orders), 0)"),
        Metric("aov", None, None, fmt="money", ratio=("revenue", "orders", 1.0)),
        _m(
            "active_customers", "orders", lambda c, tbl, scope: distinct_customers(scope, VALID_ORDER), ("customer_id",)
        ),
        _m("customers", "customers", "count(DISTINCT t.customer_id)", ("customer_id",), period=False),
        _m(
            "churned_customers",
            "customers",
            "count(DISTINCT t.customer_id) FILTER (WHERE t.churned)",
            ("churned",),
            up_is_good=False,
            period=False,
        ),
        Metric("churn_rate", None, None, fmt="pct", up_is_good=False, ratio=("churned_customers", "customers", 1.0)),
        _m(
            "complaints",
            "tickets",
            lambda c, tbl, scope=None: f"count(*) FILTER (WHERE {complaint_condition(c)})",
            ("created_at",),
            up_is_good=False,
        ),
        Metric(
            "complaint_rate", None, None, fmt="per1000", up_is_good=False, ratio=("complaints", "customers", 1000.0)
        ),
        _m("on_time_rate", "tickets", _on_time, ("created_at", "resolved_at"), fmt="pct"),
        _m(
            "fcr_rate",
            "tickets",
            "avg(CAST(t.first_contact_resolved AS DOUBLE))",
            ("first_contact_resolved",),
            fmt="pct",
        ),
        _m("csat", "tickets", "avg(t.satisfaction)", ("satisfaction",), fmt="num"),
        _m("csat_satisfied_share", "tickets", _satisfied, ("satisfaction",), fmt="pct"),
        # Segments (insight/domain/segments.py): over the period's active customers, ranked by revenue.
        Metric("segment_customers", None, None, derived="segments"),
        Metric("segment_revenue", None, None, fmt="money", derived="segments"),
        Metric("pareto_top20_share", None, None, fmt="pct", derived="segments"),
        *(
            Metric(f"{t}_share", None, None, fmt="pct", derived="segments")
            for t in ("diamond", "gold", "silver", "basic")
        ),
        Metric("customer_equity", None, None, fmt="money", derived="segments"),
        # Campaigns page (insight/domain/campaigns.py): over the treatment contacts of the campaigns in scope.
        Metric("response_rate", None, None, fmt="pct", derived="campaigns"),
        Metric("conversion_rate", None, None, fmt="pct", derived="campaigns"),
        Metric("roi", None, None, fmt="pct", derived="campaigns"),
        Metric("uplift", None, None, fmt="pct", derived="campaigns"),
        # Churn page (insight/domain/churn.py), under the definition in force (explicit or behavioural).
        Metric("churn_base", None, None, derived="churn"),
        Metric("retention_m3", None, None, fmt="pct", derived="churn"),
        Metric("complaint_churn_gap", None, None, fmt="pts", up_is_good=False, derived="churn"),
    )
}


def available(scope: Scope, metric_id: str) -> bool:
    return missing(scope, metric_id) is None


def missing(scope: Scope, metric_id: str) -> str | None:
    """What the data lacks for a metric: a table (`tickets`) or a column (`tickets.satisfaction`);
    None when it can be computed."""
    m = REGISTRY[metric_id]
    if m.derived == "segments":
        return _lacks(scope, "orders", ("customer_id",))
    if m.derived == "campaigns":
        return _lacks(scope, "contacts", ())
    if m.derived == "churn":  # the flag, else lapses measured from the orders
        flag = _lacks(scope, "customers", ("churned",))
        return flag if flag and _lacks(scope, "orders", ("customer_id",)) else None
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


def bucket_sql(grain: str, expr: str) -> str:
    """SQL of the time bucket of `expr`: an hour (a timestamp), else a day, week or month (a date)."""
    return f"date_trunc('hour', {expr})" if grain == "hour" else f"date_trunc('{grain}', {expr})::DATE"


def compute(scope: Scope, metric_ids: list[str]) -> dict[str, float | None]:
    """Values of the metrics in this scope; None where the table or a column is missing."""
    return compute_periods(scope, metric_ids, [scope.period])[0]


def compute_periods(
    scope: Scope, metric_ids: list[str], periods: list[tuple[dt.date, dt.date] | None]
) -> list[dict[str, float | None]]:
    """The metrics for several periods (e.g. current and comparison) with one scan per table."""
    frame = _grouped(scope, metric_ids, periods)
    out = []
    for i in range(len(periods)):
        part = frame[frame["period_index"] == i]
        out.append({mid: (_number(part[mid].iloc[0]) if len(part) else None) for mid in metric_ids})
    return out


def series(scope: Scope, metric_ids: list[str], periods: list, grain: str) -> pd.DataFrame:
    """Time-bound metrics per day/week/month bucket of each period, in one scan per table.

    Columns: period_index, bucket (the bucket's first day, clipped to the period start), and one
    per metric.
    """
    return _grouped(scope, metric_ids, periods, grain=grain)


def by_dimension(
    scope: Scope, metric_ids: list[str], dim: str, periods: list[tuple[dt.date, dt.date] | None] | None = None
) -> pd.DataFrame:
    """The metrics per value of a filter dimension (NULL shown as "(none)"), per period.

    Columns: period_index, value, and one per metric. For additive metrics (revenue, orders,
    complaints) the values of one period sum to the period's total.
    """
    frame = by_dimensions(scope, metric_ids, (dim,), periods)
    return frame.drop(columns="dimension")


def by_dimensions(
    scope: Scope, metric_ids: list[str], dims: tuple[str, ...], periods: list | None = None
) -> pd.DataFrame:
    """`by_dimension` for several dimensions at once, in one scan per table (grouping sets).

    Columns: dimension, value, period_index, and one per metric.
    """
    return _grouped(scope, metric_ids, periods or [scope.period], dims=tuple(dims))


def dimension_sql(scope: Scope, table: str, dim: str) -> tuple[str, str] | None:
    """(expression, join) giving the value of filter dimension `dim` for each row of `table`."""
    for source in DIMENSION_SOURCES[dim].get(table, ()):
        other, _, col = source.rpartition(".")
        if not other and col in scope.columns.get(table, ()):
            return f"t.{quote(col)}", ""
        if other == "customers" and scope.has("customers", col) and scope.has(table, "customer_id"):
            return f"c.{quote(col)}", f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = t.customer_id"
    return None


def _grouped(
    scope: Scope, metric_ids: list[str], periods: list, dims: tuple[str, ...] = (), grain: str | None = None
) -> pd.DataFrame:
    wanted = _with_inputs(metric_ids)
    by_table: dict[tuple[str, bool], list[Metric]] = {}
    for mid in wanted:
        m = REGISTRY[mid]
        if m.table and available(scope, mid):
            by_table.setdefault((m.table, m.period), []).append(m)
    keys = ["period_index"] + (["dimension", "value"] if dims else []) + (["bucket"] if grain else [])
    merged: pd.DataFrame | None = None
    for (table, timed), metrics in by_table.items():
        part = _scan(scope, table, timed, metrics, periods, dims, grain)
        if part is None:
            continue
        if not timed and grain:  # a state has no time series
            continue
        if not timed:  # a state (e.g. churned customers): the same in every period
            part = pd.concat([part.assign(period_index=i) for i in range(len(periods))], ignore_index=True)
        merged = part if merged is None else merged.merge(part, on=keys, how="outer")
    if merged is None:
        merged = pd.DataFrame(columns=keys)
    for mid in wanted:
        m = REGISTRY[mid]
        if mid not in merged.columns:
            merged[mid] = None
        elif m.fmt in ("int", "money") and not m.ratio:
            merged[mid] = merged[mid].fillna(0.0)
    for mid in wanted:
        m = REGISTRY[mid]
        if m.ratio:
            num, den, mult = m.ratio
            a = pd.to_numeric(merged[num], errors="coerce")
            b = pd.to_numeric(merged[den], errors="coerce").replace(0, float("nan"))
            merged[mid] = a / b * mult
    present = set(merged["period_index"].dropna().astype(int)) if len(merged) else set()
    missing = [i for i, p in enumerate(periods) if p is not None and i not in present and not dims and not grain]
    if missing:  # a period without rows: counts are 0, averages unknown
        blank = {
            mid: (0.0 if REGISTRY[mid].fmt in ("int", "money") and not REGISTRY[mid].ratio else None) for mid in wanted
        }
        merged = pd.concat([merged, pd.DataFrame([{"period_index": i, **blank} for i in missing])], ignore_index=True)
    return merged[keys + wanted].reset_index(drop=True)


ROLLUP = "orders_rollup"


def rollup_serves(scope: Scope, table: str, metrics: list[Metric], dims: tuple[str, ...]) -> bool:
    """True when the orders rollup gives the same answer: additive metrics only, and every
    filter and split is a column of the rollup."""
    if table != "orders" or not scope.snap.has(ROLLUP) or not all(m.rollup for m in metrics):
        return False
    cols = scope.columns.get(ROLLUP, frozenset())
    keys = {k for k, _ in scope.filters.dims} | set(dims)
    return keys <= cols


def _scan(
    scope: Scope,
    table: str,
    timed: bool,
    metrics: list[Metric],
    periods: list,
    dims: tuple[str, ...],
    grain: str | None = None,
):
    tbl = scope.table(table)
    where, params = scope.where(table, period=False)
    exprs = ", ".join(f"{m.expr(scope.columns[table], tbl, scope)} AS {m.id}" for m in metrics)
    if rollup_serves(scope, table, metrics, dims):
        tbl = scope.table(ROLLUP)
        exprs = ", ".join(f"{m.rollup} AS {m.id}" for m in metrics)
    found = {d: dimension_sql(scope, table, d) for d in dims}
    found = {d: f for d, f in found.items() if f is not None}
    if dims and not found:
        return None
    joins = " ".join(dict.fromkeys(join for _, join in found.values() if join))
    dim_cols = "".join(
        f", coalesce(CAST({expr} AS VARCHAR), '(none)') AS {quote('d_' + d)}" for d, (expr, _) in found.items()
    )
    if timed:
        dated = [(i, p) for i, p in enumerate(periods) if p is not None]
        if not dated:
            return None
        time_col = quote(TIME_COLUMNS[table])
        cond = f"t.{time_col} >= ? AND t.{time_col} < ?"
        label = "CASE " + " ".join(f"WHEN {cond} THEN {i}" for i, _ in dated) + " END"
        restrict = " AND (" + " OR ".join(f"({cond})" for _ in dated) + ")"
        flat = [b for _, p in dated for b in (p[0], p[1] + dt.timedelta(days=1))]
    else:
        label, restrict, flat = "0", "", []
    bucket, bucket_params = "", []
    if grain:  # buckets start at the period start, then at each day/week/month boundary
        starts = "CASE " + " ".join(f"WHEN {cond} THEN ?::DATE" for _ in dated) + " END"
        start_type = "TIMESTAMP" if grain == "hour" else "DATE"
        bucket = f", greatest({bucket_sql(grain, f't.{time_col}')}, CAST({starts} AS {start_type})) AS bucket"
        bucket_params = [
            x
            for (_, p), pair in zip(dated, zip(flat[::2], flat[1::2], strict=True), strict=True)
            for x in (*pair, p[0])
        ]
    inner = (
        f"SELECT {label} AS period_index{bucket}{dim_cols}, t.rowid AS _rowid, t.* "
        f"FROM {tbl} t {joins} WHERE {where}{restrict}"
    )
    inner_params = flat + bucket_params + params + flat
    if not found:
        group = "period_index, bucket" if grain else "period_index"
        return scope.query(f"SELECT {group}, {exprs} FROM ({inner}) t GROUP BY ALL", inner_params)
    sets = ", ".join(f"(period_index, {quote('d_' + d)})" for d in found)
    picks = " ".join(f"WHEN GROUPING({quote('d_' + d)}) = 0 THEN '{d}'" for d in found)
    values = " ".join(f"WHEN GROUPING({quote('d_' + d)}) = 0 THEN {quote('d_' + d)}" for d in found)
    sql = (
        f"SELECT period_index, CASE {picks} END AS dimension, CASE {values} END AS value, {exprs} "
        f"FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
    )
    return scope.query(sql, inner_params)


def _with_inputs(metric_ids: list[str]) -> list[str]:
    out: list[str] = []
    for mid in metric_ids:
        m = REGISTRY[mid]
        if m.ratio:
            out += _with_inputs([m.ratio[0], m.ratio[1]])
        out.append(mid)
    return list(dict.fromkeys(out))


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def delta(current: float | None, previous: float | None) -> tuple[float | None, float | None]:
    """(absolute change, relative change) — None where it cannot be computed."""
    if current is None or previous is None:
        return None, None
    diff = current - previous
    return diff, (diff / abs(previous) if previous else None)
