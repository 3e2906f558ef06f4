"""The churn measures of the registry (insight/semantic/metrics.py) that need more than one
aggregate: each is the function the registry names, computed under the definition in force."""

from __future__ import annotations

import pandas as pd

from insight.domain import spells
from insight.domain.churn import available, cohorts, complaints_vs_churn, definition, last_complete_month, rate
from insight.semantic import query
from insight.semantic.scope import Scope


def churn_rate(scope: Scope) -> float | None:
    """The registry's `churn_rate` (SPEC §6) under the definition in force: churned_customers /
    customers under the flag, else the pooled monthly lapse rate of the period."""
    d, _ = definition(scope)
    if d.kind == "behavioural" and available(scope, d):
        return rate(scope, d)["churn_rate"]
    found = query.values(scope, ["churned_customers", "customers"], [scope.period])[0]
    churned, base = found["churned_customers"], found["customers"]
    return churned / base if churned is not None and base else None


def churn_base(scope: Scope) -> float | None:
    """The registry's `churn_base`: the customers the churn rate is measured over."""
    d, _ = definition(scope)
    return float(rate(scope, d)["base"]) if available(scope, d) else None


def retention_m3(scope: Scope) -> float | None:
    """The registry's `retention_m3`: the period's cohorts' customers still ordering 3 months on."""
    return retention(scope, 3)


def retention(scope: Scope, offset: int) -> float | None:
    """`retention_at` of the period's cohorts. Where the filters split customers' orders it is
    counted over the customer days (insight/domain/spells.py) instead of grouping the orders into
    the whole cohort matrix: the cards show it on every tab, the matrix only the cohorts tab."""
    if not scope.has("orders", "customer_id", "order_date") or scope.period is None:
        return None
    if scope.data_end is not None and not spells.whole_customers(scope):
        month = lambda day: day.year * 12 + day.month - 1  # noqa: E731
        last = min(month(scope.period[1]), month(last_complete_month(scope.data_end)) - offset)
        if (found := spells.retained(scope, month(scope.period[0]), last, offset)) is not None:
            customers, kept = found
            return kept / customers if customers else None
    return retention_at(cohorts(scope), offset)


def retention_at(cohort: pd.DataFrame | None, offset: int) -> float | None:
    """Retention `offset` months after the first order, pooled over the complete cohorts."""
    if cohort is None or not len(cohort):
        return None
    at = cohort[cohort["offset"] == offset]
    return float(at["retained"].sum() / at["customers"].sum()) if len(at) else None


def complaint_churn_gap(scope: Scope) -> float | None:
    """The registry's `complaint_churn_gap`: churn of recent complainers minus the others'."""
    d, _ = definition(scope)
    return gap(complaints_vs_churn(scope, d)) if available(scope, d) else None


def gap(versus: pd.DataFrame | None) -> float | None:
    """The difference row of `complaints_vs_churn`, None without both groups."""
    if versus is None or not (versus["value"] == "difference").any():
        return None
    return float(versus.loc[versus["value"] == "difference", "churn_rate"].iloc[0])
