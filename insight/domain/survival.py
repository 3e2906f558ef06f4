"""Churn survival (Kaplan–Meier, statsmodels): how long customers stay, overall or by attribute,
under the churn definition in force (insight/domain/churn.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.db import dialect
from insight.domain.churn import Definition, attribute_join, customers, spell_cte
from insight.semantic.scope import Scope

MAX_SURVIVAL_GROUPS = 8


@dataclass
class Survival:
    unit: str  # months | days
    basis: str  # tenure (a tenure column), dates (signup → churn_date), orders (first order → lapse)
    curves: pd.DataFrame  # group, time, survival, at_risk
    groups: pd.DataFrame  # group, customers, events, median
    p_value: float | None  # log-rank across the groups (None: one group)


def survival_data(scope: Scope, d: Definition, attr: str | None) -> tuple[pd.DataFrame, str, str] | None:
    """(frame of time, event, group; unit; basis)."""
    group_join, group_value = ("", "NULL")
    if d.kind == "explicit":
        table, where, params = customers(scope)
        if attr:
            group_join, group_value = attribute_join(scope, attr, "c.customer_id")
        if d.dated and scope.has("customers", "signup_date") and scope.data_end:
            time = (
                f"{dialect.days_between('c.signup_date', 'CASE WHEN c.churned THEN c.churn_date ELSE ? END')} / 30.4375"
            )
            params = [scope.data_end, *params]
            unit, basis = "months", "dates"
            cond = "c.signup_date IS NOT NULL AND (NOT c.churned OR c.churn_date IS NOT NULL)"
        elif scope.has("customers", "tenure_months"):
            time, unit, basis, cond = "c.tenure_months", "months", "tenure", "c.tenure_months IS NOT NULL"
        else:
            return None
        sql = (
            f"SELECT CAST({time} AS DOUBLE) AS time, coalesce(c.churned, false) AS event, {group_value} AS grp "
            f"FROM {table} c {group_join} WHERE {cond} AND {where}"
        )
    else:
        if attr:
            group_join, group_value = attribute_join(scope, attr, "f._cust", by_key=True)
        spells, spell_params = spell_cte(scope, d)
        sql = f"""WITH {spells},
            f AS (SELECT _cust, min(start) AS start, {dialect.first_by("lapse", "start")} AS lapse
                  FROM spells GROUP BY _cust)
            SELECT CAST({dialect.days_between("f.start", "least(f.lapse, ?)")} AS DOUBLE) AS time,
                   f.lapse <= ? AS event, {group_value} AS grp
            FROM f {group_join}"""
        params = [*spell_params, scope.data_end, scope.data_end]
        unit, basis = "days", "orders"
    frame = scope.query(sql, params, cap=10_000_000)
    frame = frame[frame["time"] >= 0]
    return frame, unit, basis


def survival(scope: Scope, d: Definition, attr: str | None = None) -> Survival | None:
    """Kaplan–Meier survival (statsmodels), overall or split by `attr` (its largest groups),
    with each group's median and the log-rank p-value."""
    found = survival_data(scope, d, attr)
    if found is None or found[0].empty:
        return None
    frame, unit, basis = found
    if attr:
        frame = frame.assign(grp=frame["grp"].fillna("—").astype(str))
        keep = frame["grp"].value_counts().head(MAX_SURVIVAL_GROUPS).index
        frame = frame[frame["grp"].isin(keep)]
    else:
        frame = frame.assign(grp="all")
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff  # lazily: 1 s to import

    curves, groups = [], []
    for name, part in frame.groupby("grp", sort=True):
        fit = SurvfuncRight(part["time"].to_numpy(float), part["event"].to_numpy(int))
        times = np.concatenate([[0.0], fit.surv_times])
        probs = np.concatenate([[1.0], fit.surv_prob])
        at_risk = np.concatenate([[len(part)], fit.n_risk])
        curves.append(pd.DataFrame({"group": name, "time": times, "survival": probs, "at_risk": at_risk}))
        median = fit.quantile(0.5)
        groups.append(
            {
                "group": name,
                "customers": len(part),
                "events": int(part["event"].sum()),
                "median": None if median is None or np.isnan(median) else float(median),
            }
        )
    p_value = None
    if attr and frame["grp"].nunique() > 1 and frame["event"].any():
        _, p_value = survdiff(frame["time"].to_numpy(float), frame["event"].to_numpy(int), frame["grp"].to_numpy())
        p_value = float(p_value)
    return Survival(unit, basis, pd.concat(curves, ignore_index=True), pd.DataFrame(groups), p_value)
