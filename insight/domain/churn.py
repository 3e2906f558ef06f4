"""Churn (流失) and retention (SPEC §6): the definition in force, the monthly trend, churn by any
attribute, cohort retention, survival and complaints against churn.

Two definitions:

- **explicit**: the customers' own `churned` flag (and `churn_date` where given). In force by
  default whenever the customers table has the flag.
- **behavioural**: no order for N days (`days=`, default 90). A customer is *active* on day t
  when they ordered in the N days before t. Orders separated by at most N days form one spell;
  a spell whose last order is L lapses on L + N, once that day is inside the data (a later
  return starts a new spell). The monthly churn rate of month M is: spells lapsing in M among
  those active at the start of M, over those active at the start of M. A month that ends after
  the data does is provisional: some of its lapses cannot be seen yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from insight import settings
from insight.db import facts
from insight.db.workspace import quote
from insight.i18n import Message, msg
from insight.semantic.filters import whole_number
from insight.semantic.metrics import complaint_condition
from insight.semantic.scope import Scope

DEFINITIONS = ("explicit", "behavioural")
COMPUTED_ATTRIBUTES = ("tier", "rfm", "channel")  # value tier, RFM segment, first-order channel
#: Attributes that mean the same as the global filter of that name, so a click on one drills.
#: (Not channel: the breakdown is by first-order channel, the filter by any order's channel.)
DRILLABLE_ATTRIBUTES = ("region", "segment", "tier", "rfm")
#: Customer columns that are identities, dates or the label itself: never an attribute.
NOT_ATTRIBUTES = {"customer_id", "name", "signup_date", "churned", "churn_date", "birth_year"}
MAX_SURVIVAL_GROUPS = 8
COMPLAINT_WINDOW_DAYS = 90
SPELLS_SCHEMA = 2  # bump whenever the spells SQL changes: older spell tables are dropped


@dataclass(frozen=True)
class Definition:
    kind: str  # explicit | behavioural
    days: int  # N: days without an order that make a customer lapsed (also the model's horizon)
    reason: str  # why: "flag" (the data has one), "no_flag", "user" (chosen against the default)
    dated: bool  # explicit churn with dates (churn_date): a trend and a temporal model are possible

    def to_dict(self) -> dict:
        return {"definition": self.kind, "days": self.days, "reason": self.reason, "dated": self.dated}


def definition(scope: Scope) -> tuple[Definition, list[Message]]:
    """The definition in force from `churn=` and `days=`; invalid values give notes."""
    extra, notes = dict(scope.filters.extra), []
    has_flag = scope.has("customers", "churned")
    has_orders = scope.has("orders", "customer_id", "order_date")
    days = settings.INACTIVITY_DAYS
    raw = extra.get("days")
    if raw is not None:
        low, high = settings.CHURN_DAYS_RANGE
        if (number := whole_number(raw)) is not None and low <= number <= high:
            days = number
        else:
            notes.append(msg("ignored.days", value=raw, low=low, high=high))
    default = "explicit" if has_flag else "behavioural"
    kind, reason = default, "flag" if has_flag else "no_flag"
    asked = extra.get("churn")
    if asked is not None and asked != default:
        if asked == "behavioural" and has_orders:
            kind, reason = asked, "user"
        elif asked == "explicit" and not has_flag:
            notes.append(msg("ignored.churn_explicit"))
        elif asked == "behavioural":
            notes.append(msg("ignored.churn_behavioural"))
        else:
            notes.append(msg("ignored.churn", value=asked))
    dated = kind == "explicit" and scope.has("customers", "churn_date")
    return Definition(kind, days, reason, dated), notes


def available(scope: Scope, d: Definition) -> bool:
    if d.kind == "explicit":
        return scope.has("customers", "churned")
    return scope.has("orders", "customer_id", "order_date") and scope.data_end is not None


# --- shared SQL -----------------------------------------------------------------------------


def _orders(scope: Scope) -> tuple[str, list]:
    """Counted orders of identified customers under the global filters, over all history."""
    where, params = scope.where("orders", "t", period=False)
    return f"t._valid AND t._cust IS NOT NULL AND {where}", params


def _spells(scope: Scope, d: Definition) -> str:
    """A CTE `spells(_cust, customer_id, start, lapse)`: runs of orders at most N days apart, with
    `lapse` = the run's last order + N days (in the future while the run is open). Built once per
    orders fact, N and orders filters into a table (`_spl…`) that the trend, the breakdown and
    survival all read."""
    cond, params = _orders(scope)
    n = int(d.days)
    # One sort of the orders: each order's previous day, and the customer's last day. An order
    # more than N days after the one before starts a spell; a spell ends with the order before
    # the next start (that start's previous day), or with the customer's last order.
    orders = scope.table("orders")
    sql = f"""
        WITH o AS (SELECT t._cust, t._day AS d, lag(t._day) OVER (PARTITION BY t._cust ORDER BY t._day) AS prev,
                          max(t._day) OVER (PARTITION BY t._cust) AS last_all
                   FROM {orders} t WHERE {cond}),
        starts AS (SELECT _cust, d AS start, last_all, lead(prev) OVER (PARTITION BY _cust ORDER BY d) AS next_prev
                   FROM o WHERE prev IS NULL OR date_diff('day', prev, d) > {n}),
        ids AS (SELECT _cust, any_value(customer_id) AS customer_id FROM {orders} WHERE _cust IS NOT NULL
                GROUP BY _cust)
        SELECT s._cust, i.customer_id, s.start, coalesce(s.next_prev, s.last_all) + {n} AS lapse
        FROM starts s JOIN ids i USING (_cust)"""
    digest = hashlib.sha1(repr((cond, params)).encode()).hexdigest()[:12]
    table = facts.derived_table(
        scope.ws, "spl", SPELLS_SCHEMA, scope.snap.tables["orders"], f"{n}x{digest}", sql, params
    )
    return f"spells AS (SELECT * FROM {quote(table)})"


def _months(period: tuple[dt.date, dt.date]) -> list[dt.date]:
    first = period[0].replace(day=1)
    return list(pd.date_range(first, period[1], freq="MS").date)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _month_end(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


# --- attributes -----------------------------------------------------------------------------


def attributes(scope: Scope) -> list[str]:
    """Attributes churn can be broken down by: the value tier and RFM segment (where orders
    exist), the first-order channel, and every customers column with at most
    `settings.CHURN_MAX_LEVELS` distinct values (mapped or not, for example InternetService)."""
    out = []
    if scope.has("orders", "customer_id", "order_date") and scope.period:
        out += ["tier", "rfm"]
        if scope.has("orders", "channel"):
            out.append("channel")
    if scope.snap.has("customers"):
        cols = [c for c in scope.ws.columns("customers", scope.snap) if c not in NOT_ATTRIBUTES and c not in out]
        if cols:
            counts = scope.query(
                "SELECT "
                + ", ".join(f"count(DISTINCT {quote(c)}) AS {quote(c)}" for c in cols)
                + f" FROM {scope.table('customers')}"
            ).iloc[0]
            out += [c for c in cols if 1 < counts[c] <= settings.CHURN_MAX_LEVELS]
    return out


def default_attribute(options: list[str]) -> str | None:
    for wanted in ("contract", "plan", "segment", "tier"):
        if wanted in options:
            return wanted
    return options[0] if options else None


def attribute_join(scope: Scope, attr: str, key: str = "customer_id") -> tuple[str, str]:
    """(join, value expression) that bring `attr` onto rows keyed by `key` (a customer_id)."""
    if attr in ("tier", "rfm"):
        from insight.domain import segments

        seg = segments.with_segments(scope).table(segments.SEGMENTS)
        return f"LEFT JOIN {seg} a ON a.customer_id = {key} AND a.active", f"a.{attr}"
    if attr == "channel":
        first = (
            f"(SELECT customer_id, any_value(_first_channel) AS channel FROM {scope.table('orders')} "
            "WHERE customer_id IS NOT NULL GROUP BY customer_id)"
        )
        return f"LEFT JOIN {first} a ON a.customer_id = {key}", "a.channel"
    return f"LEFT JOIN {scope.table('customers')} a ON a.customer_id = {key}", f"CAST(a.{quote(attr)} AS VARCHAR)"


# --- figures --------------------------------------------------------------------------------


def trend(scope: Scope, d: Definition, period: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame | None:
    """Monthly churn: month, active (at its start), churned, churn_rate, provisional.
    None when the definition has no dates to place churn in time."""
    period = period or scope.period
    if period is None or scope.data_end is None:
        return None
    months = _months(period)
    end = scope.data_end
    if d.kind == "behavioural":
        frame = scope.query(
            f"""WITH {_spells(scope, d)}, months AS (SELECT unnest(?::DATE[]) AS m)
            SELECT m AS month, count(s._cust) AS active,
                   count(s._cust) FILTER (WHERE s.lapse < m + INTERVAL 1 MONTH AND s.lapse <= ?) AS churned
            FROM months LEFT JOIN spells s ON s.start < m AND s.lapse >= m GROUP BY m ORDER BY m""",
            [months, end],
        )
    elif d.dated:
        where, params = scope.where("customers", "c", period=False)
        start = "c.signup_date" if scope.has("customers", "signup_date") else "NULL"
        if start == "NULL" and scope.has("orders", "customer_id"):
            start = f"(SELECT min(o._first_at) FROM {scope.table('orders')} o WHERE o.customer_id = c.customer_id)"
        frame = scope.query(
            f"""WITH c AS (SELECT CAST({start} AS DATE) AS s, coalesce(c.churned, false) AS churned,
                                  CAST(c.churn_date AS DATE) AS e FROM {scope.table("customers")} c WHERE {where}),
                 months AS (SELECT unnest(?::DATE[]) AS m)
            SELECT m AS month,
                   count(*) FILTER (WHERE (s IS NULL OR s < m) AND (NOT churned OR e >= m)) AS active,
                   count(*) FILTER (WHERE (s IS NULL OR s < m) AND churned AND e >= m
                                    AND e < m + INTERVAL 1 MONTH) AS churned
            FROM months CROSS JOIN c GROUP BY m ORDER BY m""",
            [*params, months],
        )
    else:
        return None
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["churn_rate"] = frame["churned"] / frame["active"].where(frame["active"] > 0)
    frame["provisional"] = [_month_end(m) > end for m in frame["month"]]
    return frame


def rate(scope: Scope, d: Definition, period: tuple[dt.date, dt.date] | None = None) -> dict:
    """The headline: churn_rate with its numerator and denominator. Explicit: churned / customers
    in scope. Behavioural: lapses / active customers at month starts, pooled over the period's
    complete months (all its months when none is complete)."""
    if d.kind == "explicit":
        where, params = scope.where("customers", "c", period=False)
        row = scope.query(
            f"SELECT count(*) AS customers, count(*) FILTER (WHERE c.churned) AS churned "
            f"FROM {scope.table('customers')} c WHERE {where}",
            params,
        ).iloc[0]
        base, churned = int(row["customers"]), int(row["churned"])
        return {"churn_rate": churned / base if base else None, "churned": churned, "base": base, "provisional": False}
    return pooled(trend(scope, d, period))


def pooled(monthly: pd.DataFrame | None) -> dict:
    """Behavioural churn of a period from its monthly trend: lapses over active customers at the
    month starts, over the complete months (all months when none is complete)."""
    if monthly is None or monthly.empty:
        return {"churn_rate": None, "churned": 0, "base": 0, "provisional": False}
    final = monthly[~monthly["provisional"]]
    used = final if len(final) else monthly
    base, churned = int(used["active"].sum()), int(used["churned"].sum())
    return {
        "churn_rate": churned / base if base else None,
        "churned": churned,
        "base": base,
        "provisional": not len(final),
    }


def by_attribute(scope: Scope, d: Definition, attr: str) -> pd.DataFrame:
    """Churn by one attribute: value, customers (behavioural: customer-months at risk), churned,
    churn_rate, low/high (95 % Wilson), small (fewer than `MIN_GROUP`). Sorted by rate,
    small groups last."""
    if d.kind == "explicit":
        where, params = scope.where("customers", "c", period=False)
        join, value = attribute_join(scope, attr, "c.customer_id")
        frame = scope.query(
            f"SELECT {value} AS value, count(*) AS customers, count(*) FILTER (WHERE c.churned) AS churned "
            f"FROM {scope.table('customers')} c {join} WHERE {where} GROUP BY ALL",
            params,
        )
    else:
        months = [m for m in _months(scope.period) if _month_end(m) <= scope.data_end] or _months(scope.period)
        join, value = attribute_join(scope, attr, "s.customer_id")
        frame = scope.query(
            f"""WITH {_spells(scope, d)}, months AS (SELECT unnest(?::DATE[]) AS _month)
            SELECT {value} AS value, count(*) AS customers,
                   count(*) FILTER (WHERE s.lapse < _month + INTERVAL 1 MONTH AND s.lapse <= ?) AS churned
            FROM months JOIN spells s ON s.start < _month AND s.lapse >= _month {join} GROUP BY ALL""",
            [months, scope.data_end],
        )
    return wilson_table(frame)


def wilson_table(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["customers"] > 0].copy()
    frame["churn_rate"] = frame["churned"] / frame["customers"]
    low, high = proportion_confint(frame["churned"], frame["customers"], alpha=0.05, method="wilson")
    frame["low"], frame["high"] = np.asarray(low, float), np.asarray(high, float)
    frame["small"] = frame["customers"] < settings.MIN_GROUP
    frame["_order"] = frame["value"].fillna("")
    frame = frame.sort_values(["small", "churn_rate", "customers", "_order"], ascending=[True, False, False, True])
    return frame.drop(columns="_order").reset_index(drop=True)


def cohorts(scope: Scope) -> pd.DataFrame | None:
    """Monthly first-order cohorts of the period × months since: cohort, offset, customers (the
    cohort's size), retained (with an order in month cohort + offset), retention, revenue (of the
    cohort in that month), revenue_retention (against its first month). Only complete cells are
    returned: a cell whose month ends after the data is masked, never shown as 0."""
    if not scope.has("orders", "customer_id", "order_date") or scope.period is None:
        return None
    cond, params = _orders(scope)
    end = scope.data_end
    first, last = scope.period[0].replace(day=1), _month_end(scope.period[1])
    orders = scope.table("orders")
    # The period's cohorts first: grouping only their customers' orders is several times faster.
    frame = scope.query(
        f"""WITH f AS (SELECT t._cust, date_trunc('month', min(t._day)) AS cohort FROM {orders} t WHERE {cond}
                       GROUP BY t._cust HAVING date_trunc('month', min(t._day)) BETWEEN ? AND ?),
             o AS (SELECT t._cust, date_trunc('month', t._day) AS m, sum(t.amount) AS revenue
                   FROM {orders} t SEMI JOIN f USING (_cust) WHERE {cond} GROUP BY ALL)
        SELECT f.cohort, datediff('month', f.cohort, o.m) AS offset, count(*) AS retained, sum(o.revenue) AS revenue
        FROM o JOIN f USING (_cust) GROUP BY ALL""",
        [*params, first, last, *params],
    )
    if frame.empty:
        return None
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.date
    done = (pd.Timestamp(end + dt.timedelta(days=1)).replace(day=1) - pd.DateOffset(months=1)).date()
    cells = [(c, k) for c in sorted(frame["cohort"].unique()) if c <= done for k in range(_months_between(c, done) + 1)]
    grid = pd.DataFrame(cells, columns=["cohort", "offset"])
    if grid.empty:
        return None
    out = grid.merge(frame, on=["cohort", "offset"], how="left").fillna({"retained": 0, "revenue": 0.0})
    base = out[out["offset"] == 0].set_index("cohort")
    out["customers"] = out["cohort"].map(base["retained"]).astype("int64")
    out["retained"] = out["retained"].astype("int64")
    out["retention"] = out["retained"] / out["customers"]
    out["revenue_retention"] = out["revenue"] / out["cohort"].map(base["revenue"]).where(lambda s: s > 0)
    out["cohort"] = [c.strftime("%Y-%m") for c in out["cohort"]]
    return out[["cohort", "offset", "customers", "retained", "retention", "revenue", "revenue_retention"]]


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
        where, params = scope.where("customers", "c", period=False)
        if attr:
            group_join, group_value = attribute_join(scope, attr, "c.customer_id")
        if d.dated and scope.has("customers", "signup_date") and scope.data_end:
            time = "datediff('day', c.signup_date, CASE WHEN c.churned THEN c.churn_date ELSE ? END) / 30.4375"
            params = [scope.data_end, *params]
            unit, basis = "months", "dates"
            cond = "c.signup_date IS NOT NULL AND (NOT c.churned OR c.churn_date IS NOT NULL)"
        elif scope.has("customers", "tenure_months"):
            time, unit, basis, cond = "c.tenure_months", "months", "tenure", "c.tenure_months IS NOT NULL"
        else:
            return None
        sql = (
            f"SELECT CAST({time} AS DOUBLE) AS time, coalesce(c.churned, false) AS event, {group_value} AS grp "
            f"FROM {scope.table('customers')} c {group_join} WHERE {cond} AND {where}"
        )
    else:
        if attr:
            group_join, group_value = attribute_join(scope, attr, "f.customer_id")
        sql = f"""WITH {_spells(scope, d)},
            f AS (SELECT customer_id, arg_min(start, start) AS start, arg_min(lapse, start) AS lapse
                  FROM spells GROUP BY customer_id)
            SELECT CAST(date_diff('day', f.start, least(f.lapse, ?)) AS DOUBLE) AS time, f.lapse <= ? AS event,
                   {group_value} AS grp
            FROM f {group_join}"""
        params = [scope.data_end, scope.data_end]
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


def survival_at(curves: pd.DataFrame, times: list[float]) -> pd.DataFrame:
    """The step function read at `times`: group, time, survival."""
    rows = []
    for name, part in curves.groupby("group", sort=False):
        part = part.sort_values("time")
        for t in times:
            rows.append({"group": name, "time": t, "survival": float(part.loc[part["time"] <= t, "survival"].iloc[-1])})
    return pd.DataFrame(rows)


# --- complaints and churn -------------------------------------------------------------------


def cutoff(scope: Scope, d: Definition) -> dt.date | None:
    """The latest day whose N-day churn window lies inside the data (and not after the period)."""
    if scope.data_end is None or scope.period is None:
        return None
    return min(scope.period[1], scope.data_end - dt.timedelta(days=d.days))


def status_at(scope: Scope, d: Definition, day: dt.date) -> tuple[str, list] | None:
    """SQL (customer_id, churned) of the customers not churned on `day`, with whether they churned
    in the N days after it. None when the definition cannot place churn in time."""
    n = int(d.days)
    if d.kind == "behavioural":  # active on `day`: inside a spell; churned: that spell lapses within N days
        sql = f"""WITH {_spells(scope, d)} SELECT customer_id, lapse <= ?::DATE + {n} AS churned
            FROM spells WHERE start <= ? AND lapse > ?"""
        return sql, [day, day, day]
    if d.dated:
        where, params = scope.where("customers", "c", period=False)
        started = "AND (c.signup_date IS NULL OR c.signup_date <= ?)" if scope.has("customers", "signup_date") else ""
        sql = f"""SELECT c.customer_id, coalesce(c.churned AND c.churn_date <= ?::DATE + {n}, false) AS churned
            FROM {scope.table("customers")} c
            WHERE NOT (coalesce(c.churned, false) AND (c.churn_date IS NULL OR c.churn_date <= ?))
            {started} AND {where}"""
        return sql, [day, day, *([day] if started else []), *params]
    return None


def complaints_vs_churn(scope: Scope, d: Definition) -> pd.DataFrame | None:
    """Churn of customers who complained in the 90 days before the cutoff against those who did
    not: group, customers, churned, churn_rate, low/high (Wilson); plus the difference with its
    95 % interval (Newcombe) on the `difference` row; `linked` of the window's `complainers` are
    in the population. None without tickets and customers."""
    if not (scope.snap.has("customers") and scope.has("tickets", "customer_id", "created_at")):
        return None
    day = cutoff(scope, d)
    found = status_at(scope, d, day) if day else None
    if found is None:  # a flag without dates: complaints in the last 90 days against the flag
        if d.kind != "explicit":
            return None
        where, params = scope.where("customers", "c", period=False)
        found = (
            f"SELECT c.customer_id, coalesce(c.churned, false) AS churned FROM {scope.table('customers')} c "
            f"WHERE {where}",
            params,
        )
        day = scope.data_end
    pop_sql, pop_params = found
    cond = complaint_condition(scope.columns["tickets"])
    tw, tparams = scope.where("tickets", "t", period=False)
    frame = scope.query(
        f"""WITH pop AS ({pop_sql}),
             k AS (SELECT DISTINCT t.customer_id FROM {scope.table("tickets")} t
                   WHERE {cond} AND t.created_at > ?::DATE - {COMPLAINT_WINDOW_DAYS} AND t.created_at < ?::DATE + 1
                   AND {tw})
        SELECT k.customer_id IS NOT NULL AS complained, count(*) AS customers,
               count(*) FILTER (WHERE pop.churned) AS churned, any_value((SELECT count(*) FROM k)) AS complainers
        FROM pop LEFT JOIN k USING (customer_id) GROUP BY ALL""",
        [*pop_params, day, day, *tparams],
    )
    counts = {bool(r.complained): (int(r.customers), int(r.churned)) for r in frame.itertuples()}
    (n1, c1), (n0, c0) = counts.get(True, (0, 0)), counts.get(False, (0, 0))
    rows = pd.DataFrame(
        [
            {"value": "complained", "customers": n1, "churned": c1},
            {"value": "not_complained", "customers": n0, "churned": c0},
        ]
    )
    table = wilson_table(rows).set_index("value").reindex(["complained", "not_complained"]).reset_index()
    if n1 and n0:
        low, high = confint_proportions_2indep(c1, n1, c0, n0, method="newcomb", compare="diff")
        diff = c1 / n1 - c0 / n0
        table = pd.concat(
            [
                table,
                pd.DataFrame([{"value": "difference", "churn_rate": diff, "low": float(low), "high": float(high)}]),
            ],
            ignore_index=True,
        )
    table["cutoff"] = day
    # Coverage: complainers of the window who are in the population (known customers still here).
    table["linked"], table["complainers"] = n1, int(frame["complainers"].max()) if len(frame) else 0
    return table


def label(name: str, lang: str) -> str:
    """A model feature's or an attribute's label: the catalog's where it has one (features,
    the computed attributes), else the column's own name."""
    from insight import i18n

    for key in (f"churn.feature.{name}", f"churn.attr.{name}", f"dim.{name}" if name in COMPUTED_ATTRIBUTES else ""):
        if key in i18n.CATALOG:
            return i18n.t(key, lang)
    return name
