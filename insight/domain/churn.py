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

from insight import settings
from insight.cache import memo
from insight.db import dialect, facts
from insight.db.workspace import quote
from insight.domain import spells
from insight.i18n import Message, msg
from insight.semantic import query
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
COMPLAINT_WINDOW_DAYS = 90


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


#: The customers columns churn reads from the customers the filters keep (`customers`).
_STATE_COLUMNS = ("customer_id", "signup_date", "churned", "churn_date", "tenure_months")


def customers(scope: Scope) -> tuple[str, str, list]:
    """(table, condition on it aliased `c`, params): the customers under the global filters. A
    filter that reaches them through another table (a channel through the customer × channel
    fact, a campaign through the contacts) is a lookup by customer_id: its customers are kept
    once per filter set, with the columns churn reads, so that the trend, the complaints split,
    the breakdown and survival do not each repeat it."""
    where, params = scope.where("customers", "c", period=False)
    if not scope.filters.lookups("customers", scope.columns):
        return scope.table("customers"), where, params
    cols = ", ".join(f"c.{quote(col)}" for col in _STATE_COLUMNS if scope.has("customers", col))
    sql = f"SELECT {cols} FROM {scope.table('customers')} c WHERE {where}"
    digest = hashlib.sha1(repr((sql, params)).encode()).hexdigest()[:12]
    source = scope.snap.tables["customers"]
    return facts.derived_table(scope.ws, "chc", 1, source, digest, sql, params, keep=4), "true", []


def spell_cte(scope: Scope, d: Definition) -> tuple[str, list]:
    """(a CTE `spells(_cust, start, lapse, first_month, last_month)`, its params) of the counted
    orders under the global filters (insight/domain/spells.py)."""
    return spells.cte(scope, int(d.days), *_orders(scope))


def _months(period: tuple[dt.date, dt.date]) -> list[dt.date]:
    first = period[0].replace(day=1)
    return list(pd.date_range(first, period[1], freq="MS").date)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _month_end(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


def last_complete_month(end: dt.date) -> dt.date:
    """The first day of the last month that ends by `end` (the data's last day)."""
    return (pd.Timestamp(end + dt.timedelta(days=1)).replace(day=1) - pd.DateOffset(months=1)).date()


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
        counts = _levels(scope)
        out += [c for c, n in counts.items() if c not in out and 1 < n <= settings.CHURN_MAX_LEVELS]
    return out


def _levels(scope: Scope) -> dict[str, int]:
    """How many distinct values each customers column but NOT_ATTRIBUTES has, among the user's
    rows (cached per version and row scope: a version never changes)."""
    table = scope.table("customers")
    key = f"_levels_{table}"
    cols = [c for c in scope.ws.columns("customers", scope.snap) if c not in NOT_ATTRIBUTES]
    if not cols:
        return {}
    if key not in scope.ws._facts_meta:
        row = scope.query(
            "SELECT " + ", ".join(f"count(DISTINCT {quote(c)}) AS {quote(c)}" for c in cols) + f" FROM {table}"
        ).iloc[0]
        scope.ws._facts_meta[key] = {c: int(row[c]) for c in cols}
    return scope.ws._facts_meta[key]


def default_attribute(options: list[str]) -> str | None:
    for wanted in ("contract", "plan", "segment", "tier"):
        if wanted in options:
            return wanted
    return options[0] if options else None


def attribute_join(scope: Scope, attr: str, key: str = "customer_id", by_key: bool = False) -> tuple[str, str]:
    """(join, value expression) that bring `attr` onto rows keyed by `key`: a customer_id, or with
    `by_key` the fact's integer customer key (`_cust`), which joins several times faster."""
    col = "_cust" if by_key else "customer_id"
    if attr in ("tier", "rfm"):
        from insight.domain import segments

        seg = segments.with_segments(scope).table(segments.SEGMENTS)
        return f"LEFT JOIN {seg} a ON a.{col} = {key} AND a.active", f"a.{attr}"
    if attr == "channel":  # (the first orders hold every customer's first-order channel)
        source = quote(scope.snap.tables["first_orders"]) if scope.snap.has("first_orders") else scope.table("orders")
        first = (
            f"(SELECT {col}, {dialect.any_of('_first_channel')} AS channel FROM {source} "
            f"WHERE {col} IS NOT NULL GROUP BY {col})"
        )
        return f"LEFT JOIN {first} a ON a.{col} = {key}", "a.channel"
    customers, value = scope.table("customers"), f"CAST(a.{quote(attr)} AS VARCHAR)"
    if by_key and (ids := facts.customer_ids(scope.ws, scope.snap)):  # each key's value, kept per version
        sql = f"SELECT i._cust, {value} AS value FROM {ids} i JOIN {customers} a ON a.customer_id = i.customer_id"
        digest = hashlib.sha1(repr((customers, attr)).encode()).hexdigest()[:12]
        table = facts.derived_table(scope.ws, "cat", 1, scope.snap.tables["orders"], digest, sql, [], keep=4)
        return f"LEFT JOIN {table} a ON a._cust = {key}", "a.value"
    return f"LEFT JOIN {customers} a ON a.{col} = {key}", value


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
        # A spell is active at the start of the months from the one after its start to the one
        # its lapse falls in, and churns in the latter (once seen): spells counted by those two
        # months (a few hundred groups) are joined to the months instead of every spell.
        spells, spell_params = spell_cte(scope, d)
        frame = scope.query(
            f"""WITH {spells}, months AS ({dialect.date_rows("?", "m")}),
                 g AS (SELECT s.first_month, s.last_month, s.lapse <= ? AS seen, count(*) AS n
                       FROM spells s GROUP BY 1, 2, 3)
            SELECT m AS month, CAST(coalesce(sum(g.n), 0) AS BIGINT) AS active,
                   CAST(coalesce(sum(g.n) FILTER (WHERE g.last_month = m AND g.seen), 0) AS BIGINT) AS churned
            FROM months LEFT JOIN g ON g.first_month <= m AND g.last_month >= m GROUP BY m ORDER BY m""",
            [*spell_params, months, end],
        )
    elif d.dated:
        # Customers counted by the months they start and churn in (a month starts on its 1st, so
        # a day is before it exactly when its month is): a few thousand groups, not every
        # customer times every month.
        g = _customer_months(scope)
        at = pd.to_datetime(pd.Series(months)).to_numpy()
        started = g["s"].isna().to_numpy()[:, None] | (g["s"].to_numpy()[:, None] < at)
        active = started & (~g["churned"].to_numpy()[:, None] | (g["e"].to_numpy()[:, None] >= at))
        lapsed = started & g["churned"].to_numpy()[:, None] & (g["e"].to_numpy()[:, None] == at)
        n = g["n"].to_numpy()[:, None]
        frame = pd.DataFrame({"month": months, "active": (active * n).sum(axis=0), "churned": (lapsed * n).sum(axis=0)})
    else:
        return None
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["churn_rate"] = frame["churned"] / frame["active"].where(frame["active"] > 0)
    frame["provisional"] = [_month_end(m) > end for m in frame["month"]]
    return frame


def _filters_key(scope: Scope) -> tuple:
    return (str(scope.ws.path), tuple(sorted(scope.snap.tables.items())), scope.snap.rows, scope.filters.dims)


@memo(64, key=_filters_key)
def _customer_months(scope: Scope) -> pd.DataFrame:
    """The customers the filters keep (explicit churn with dates) counted by the month they start
    in (`s`: signup, else first order; NaT unknown), whether `churned`, and the month they churned
    in (`e`): what the trend and the headline rate of every period are computed from, once per
    filter set."""
    table, where, params = customers(scope)
    start = "c.signup_date" if scope.has("customers", "signup_date") else "NULL"
    if start == "NULL" and scope.has("orders", "customer_id"):
        start = f"(SELECT min(o._first_at) FROM {scope.table('orders')} o WHERE o.customer_id = c.customer_id)"
    month = lambda day: dialect.as_date(dialect.trunc("month", f"CAST({day} AS DATE)"))  # noqa: E731
    frame = scope.query(
        f"SELECT {month(start)} AS s, coalesce(c.churned, false) AS churned, {month('c.churn_date')} AS e, "
        f"count(*) AS n FROM {table} c WHERE {where} GROUP BY 1, 2, 3",
        params,
    )
    return frame.assign(
        s=pd.to_datetime(frame["s"]), e=pd.to_datetime(frame["e"]), churned=frame["churned"].astype(bool)
    )


def rate(scope: Scope, d: Definition, period: tuple[dt.date, dt.date] | None = None) -> dict:
    """The headline: churn_rate with its numerator and denominator. Explicit: churned / customers
    in scope. Behavioural: lapses / active customers at month starts, pooled over the period's
    complete months (all its months when none is complete)."""
    if d.kind == "explicit" and d.dated:  # (the trend's groups)
        g = _customer_months(scope)
        base, churned = int(g["n"].sum()), int(g.loc[g["churned"], "n"].sum())
        return {"churn_rate": churned / base if base else None, "churned": churned, "base": base, "provisional": False}
    if d.kind == "explicit":
        table, where, params = customers(scope)
        row = scope.query(
            f"SELECT count(*) AS customers, count(*) FILTER (WHERE c.churned) AS churned FROM {table} c WHERE {where}",
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
        table, where, params = customers(scope)
        join, value = attribute_join(scope, attr, "c.customer_id")
        frame = scope.query(
            f"SELECT {value} AS value, count(*) AS customers, count(*) FILTER (WHERE c.churned) AS churned "
            f"FROM {table} c {join} WHERE {where} GROUP BY 1",
            params,
        )
    else:
        months = [m for m in _months(scope.period) if _month_end(m) <= scope.data_end] or _months(scope.period)
        join, value = attribute_join(scope, attr, "s._cust", by_key=True)
        spells, spell_params = spell_cte(scope, d)
        # Each spell's customer-months at risk among the months (consecutive: a range), counted
        # by arithmetic on its first and last month instead of a join with every month; the
        # attribute joined by the integer customer key.
        lo, hi = "greatest(s.first_month, CAST(? AS DATE))", "least(s.last_month, CAST(? AS DATE))"
        frame = scope.query(
            f"""WITH {spells}
            SELECT {value} AS value, CAST(sum({dialect.months_between(lo, hi)} + 1) AS BIGINT) AS customers,
                   count(*) FILTER (WHERE s.last_month <= CAST(? AS DATE) AND s.lapse <= ?) AS churned
            FROM spells s {join} WHERE {lo} <= {hi} GROUP BY 1""",
            [*spell_params, months[0], months[-1], months[-1], scope.data_end, months[0], months[-1]],
        )
    return wilson_table(frame)


def wilson_table(frame: pd.DataFrame) -> pd.DataFrame:
    from statsmodels.stats.proportion import proportion_confint  # lazily: 1 s to import

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
    returned: a cell whose month ends after the data is masked, never shown as 0.

    They depend on the data, the filters and the period only (not on the churn definition or the
    tab): computed once per filter set and remembered (insight/cache.py)."""
    if not scope.has("orders", "customer_id", "order_date") or scope.period is None:
        return None
    found = _cohorts(scope)
    return None if found is None else found.copy()


def _cohort_key(scope: Scope) -> tuple:
    tables = tuple(sorted(scope.snap.tables.items()))
    return (str(scope.ws.path), tables, scope.snap.rows, scope.filters.dims, scope.period, scope.data_end)


@memo(64, key=_cohort_key)
def _cohorts(scope: Scope) -> pd.DataFrame | None:
    cond, params = _orders(scope)
    end = scope.data_end
    first, last = scope.period[0].replace(day=1), _month_end(scope.period[1])
    orders = scope.table("orders")
    revenue = query.measure_sql(scope, "revenue")

    def month_of(day: str) -> str:
        return dialect.trunc("month", day)

    if spells.whole_customers(scope):
        # Each customer's orders are kept or dropped whole, so their first kept order is their
        # first counted one, precomputed in the fact (`_first_at`): the cohorts are the orders
        # from the period's start on (the fact is sorted by time) of customers who began in it.
        after = dialect.plus_days("CAST(? AS DATE)", 1)
        frame = scope.query(
            f"""SELECT cohort, {dialect.months_between("cohort", "m")} AS offset, count(*) AS retained,
                   sum(revenue) AS revenue
            FROM (SELECT t._cust, {month_of("t._first_at")} AS cohort, {month_of("t._day")} AS m, {revenue} AS revenue
                  FROM {orders} t WHERE {cond} AND t._first_at >= ? AND t._first_at < {after} AND t.order_date >= ?
                  GROUP BY 1, 2, 3) o
            GROUP BY 1, 2""",
            [*params, first, last, first],
        )
    else:  # the period's cohorts first: grouping only their customers' orders (from the period's
        # start on: none of theirs comes before) is several times faster
        firsts, first_params = spells.first_days(scope, cond, params)
        frame = scope.query(
            f"""WITH f AS (SELECT x._cust, {month_of("x.first_day")} AS cohort FROM ({firsts}) x
                           WHERE {month_of("x.first_day")} BETWEEN ? AND ?),
                 o AS (SELECT t._cust, {month_of("t._day")} AS m, {revenue} AS revenue
                       FROM {orders} t WHERE {cond} AND t.order_date >= ? AND t._cust IN (SELECT _cust FROM f)
                       GROUP BY 1, 2)
            SELECT f.cohort, {dialect.months_between("f.cohort", "o.m")} AS offset, count(*) AS retained,
                   sum(o.revenue) AS revenue
            FROM o JOIN f ON f._cust = o._cust GROUP BY 1, 2""",
            [*first_params, first, last, *params, first],
        )
    if frame.empty:
        return None
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.date
    done = last_complete_month(end)
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
        spells, spell_params = spell_cte(scope, d)
        ids = facts.customer_ids(scope.ws, scope.snap)
        sql = f"""WITH {spells} SELECT i.customer_id, s.lapse <= {dialect.plus_days("CAST(? AS DATE)", n)} AS churned
            FROM spells s JOIN {ids} i ON i._cust = s._cust WHERE s.start <= ? AND s.lapse > ?"""
        return sql, [*spell_params, day, day, day]
    if d.dated:
        table, where, params = customers(scope)
        started = "AND (c.signup_date IS NULL OR c.signup_date <= ?)" if scope.has("customers", "signup_date") else ""
        sql = f"""SELECT c.customer_id,
                   coalesce(c.churned AND c.churn_date <= {dialect.plus_days("CAST(? AS DATE)", n)}, false) AS churned
            FROM {table} c
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
        table, where, params = customers(scope)
        found = (
            f"SELECT c.customer_id, coalesce(c.churned, false) AS churned FROM {table} c WHERE {where}",
            params,
        )
        day = scope.data_end
    pop_sql, pop_params = found
    cond = complaint_condition(scope.columns["tickets"])
    tw, tparams = scope.where("tickets", "t", period=False)
    frame = scope.query(
        f"""WITH pop AS ({pop_sql}),
             k AS (SELECT DISTINCT t.customer_id FROM {scope.table("tickets")} t
                   WHERE {cond} AND t.created_at > {dialect.plus_days("CAST(? AS DATE)", -COMPLAINT_WINDOW_DAYS)}
                   AND t.created_at < {dialect.plus_days("CAST(? AS DATE)", 1)} AND {tw})
        SELECT k.customer_id IS NOT NULL AS complained, count(*) AS customers,
               count(*) FILTER (WHERE pop.churned) AS churned,
               {dialect.any_of("(SELECT count(*) FROM k)")} AS complainers
        FROM pop LEFT JOIN k ON k.customer_id = pop.customer_id GROUP BY 1""",
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
        from statsmodels.stats.proportion import confint_proportions_2indep  # lazily

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
    the computed attributes, the columns of the customers table), else the column's own name."""
    from insight import i18n

    for key in (f"churn.feature.{name}", f"churn.attr.{name}", f"dim.{name}" if name in COMPUTED_ATTRIBUTES else ""):
        if key in i18n.CATALOG:
            return i18n.t(key, lang)
    return i18n.column_label(name, lang)  # a customer column's title (contract, city, plan …)
