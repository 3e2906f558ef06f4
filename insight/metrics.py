"""The metric registry (SPEC §6): each metric declared once and computed one way everywhere.

A metric is an aggregate over one canonical table (aliased `t`), or a ratio of two metrics.
KPI cards, tooltips, the CLI `view` and the tests all read this registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from insight import settings
from insight.scope import Scope

VALID_ORDER = "coalesce(t.status, '') NOT IN ('cancelled', 'returned')"

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


def sla_due(sla_hours: dict[str, float] | None = None) -> str:
    """SQL for a ticket's deadline: its own due_at, else created_at + the SLA hours of its priority."""
    hours = sla_hours or settings.SLA_HOURS
    level = priority_level("t.priority")
    per_level = " ".join(f"WHEN '{k}' THEN {float(v)}" for k, v in hours.items())
    return f"t.created_at + to_microseconds(CAST((CASE {level} {per_level} END) * 3600e6 AS BIGINT))"


def _orders_count(cols, table) -> str:
    key = "t.order_id" if "order_id" in cols else "t.rowid"
    return f"count(DISTINCT {key}) FILTER (WHERE {VALID_ORDER})"


def complaint_condition(cols) -> str:
    return "coalesce(t.is_complaint, true)" if "is_complaint" in cols else "true"


def _on_time(cols, table) -> str:
    due = "coalesce(t.due_at, {sla})" if "due_at" in cols else "{sla}"
    due = due.format(sla=sla_due() if "priority" in cols else "t.created_at + INTERVAL 72 HOUR")
    resolved = "t.resolved_at IS NOT NULL AND t.resolved_at >= t.created_at"
    return f"avg(CASE WHEN t.resolved_at <= {due} THEN 1.0 ELSE 0.0 END) FILTER (WHERE {resolved})"


def _satisfied(cols, table: str) -> str:
    # The scale comes from the whole table: a maximum above 5 means 1-10 (satisfied >= 8), else
    # 1-5 (satisfied >= 4).
    threshold = f"(SELECT CASE WHEN max(satisfaction) > 5 THEN 8 ELSE 4 END FROM {table})"
    return (
        f"avg(CASE WHEN t.satisfaction >= {threshold} THEN 1.0 ELSE 0.0 END) "
        "FILTER (WHERE t.satisfaction IS NOT NULL)"
    )


@dataclass(frozen=True)
class Metric:
    id: str
    table: str | None  # None: a ratio of two other metrics
    expr: Callable[[frozenset[str], str], str] | None  # (columns, quoted table) -> SQL
    needs: tuple[str, ...] = ()
    fmt: str = "int"  # int | money | pct | num | per1000
    up_is_good: bool = True
    ratio: tuple[str, str, float] | None = None  # (numerator id, denominator id, multiplier)
    period: bool = True  # restricted to the period (False: a state, e.g. churned customers)

    @property
    def label(self) -> str:
        return f"metric.{self.id}"

    @property
    def definition(self) -> str:
        return f"metric.{self.id}.def"


def _m(id, table, expr, needs=(), **kw) -> Metric:
    fn = expr if callable(expr) else (lambda cols, table, e=expr: e)
    return Metric(id, table, fn, tuple(needs), **kw)


REGISTRY: dict[str, Metric] = {
    m.id: m
    for m in (
        _m("revenue", "orders", f"coalesce(sum(t.amount) FILTER (WHERE {VALID_ORDER}), 0)", ("amount",), fmt="money"),
        _m("orders", "orders", _orders_count, ("order_date",)),
        Metric("aov", None, None, fmt="money", ratio=("revenue", "orders", 1.0)),
        _m("active_customers", "orders", f"count(DISTINCT t.customer_id) FILTER (WHERE {VALID_ORDER})", ("customer_id",)),
        _m("customers", "customers", "count(DISTINCT t.customer_id)", ("customer_id",), period=False),
        _m("churned_customers", "customers", "count(DISTINCT t.customer_id) FILTER (WHERE t.churned)", ("churned",),
           up_is_good=False, period=False),
        Metric("churn_rate", None, None, fmt="pct", up_is_good=False, ratio=("churned_customers", "customers", 1.0)),
        _m("complaints", "tickets", lambda c, tbl: f"count(*) FILTER (WHERE {complaint_condition(c)})", ("created_at",),
           up_is_good=False),
        Metric("complaint_rate", None, None, fmt="per1000", up_is_good=False,
               ratio=("complaints", "customers", 1000.0)),
        _m("on_time_rate", "tickets", _on_time, ("created_at", "resolved_at"), fmt="pct"),
        _m("fcr_rate", "tickets", "avg(CAST(t.first_contact_resolved AS DOUBLE))", ("first_contact_resolved",), fmt="pct"),
        _m("csat", "tickets", "avg(t.satisfaction)", ("satisfaction",), fmt="num"),
        _m("csat_satisfied_share", "tickets", _satisfied, ("satisfaction",), fmt="pct"),
    )
}


def available(scope: Scope, metric_id: str) -> bool:
    m = REGISTRY[metric_id]
    if m.ratio:
        return available(scope, m.ratio[0]) and available(scope, m.ratio[1])
    return scope.has(m.table, *m.needs)


def compute(scope: Scope, metric_ids: list[str]) -> dict[str, float | None]:
    """Values of the metrics in this scope; None where the table or a column is missing."""
    wanted = _with_inputs(metric_ids)
    by_table: dict[tuple[str, bool], list[Metric]] = {}
    for mid in wanted:
        m = REGISTRY[mid]
        if m.table and available(scope, mid):
            by_table.setdefault((m.table, m.period), []).append(m)
    values: dict[str, float | None] = {mid: None for mid in wanted}
    for (table, period), metrics in by_table.items():
        if period and scope.period is None:
            continue
        cols = scope.columns[table]
        where, params = scope.where(table, period=period)
        tbl = scope.table(table)
        exprs = ", ".join(f"{m.expr(cols, tbl)} AS {m.id}" for m in metrics)
        sql = f"SELECT {exprs} FROM {tbl} t WHERE {where}"
        row = scope.query(sql, params).iloc[0]
        for m in metrics:
            values[m.id] = _number(row[m.id])
    for mid in wanted:
        m = REGISTRY[mid]
        if m.ratio:
            num, den, mult = m.ratio
            a, b = values.get(num), values.get(den)
            values[mid] = None if a is None or not b else a / b * mult
    return {mid: values[mid] for mid in metric_ids}


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
