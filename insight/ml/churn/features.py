"""The customer frames the churn-risk model learns from, pulled from the engine.

**Temporal** (orders with dates, and churn that can be placed in time): at a cutoff day c the
population is the customers not churned on c; the features come only from history up to c; the
label is churn in the N days after c (`churn.status_at`). Training frames are stacked over
cutoffs c − N, c − 2N, …; the evaluation frame is the later cutoff c = data end − N, and the
scoring frame the data end.

**Snapshot** (an explicit flag and no dates, like the Telco file): customer attributes only,
split into training and held-out customers (stratified).

**Bounded**: the model learns from at most `settings.CHURN_SAMPLE_CUSTOMERS` customers, a fixed
sample (first by an MD5 of their ids, so the same on every engine) taken in the engine, and fits on at most
`settings.CHURN_FIT_SAMPLE` training rows; each sample is said in a note. Every customer still
here is scored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insight import settings
from insight.db import dialect
from insight.db.workspace import quote
from insight.domain import churn
from insight.domain.churn import Definition
from insight.i18n import Message, msg
from insight.semantic.metrics import complaint_condition
from insight.semantic.scope import Scope

#: Customer columns measured at the data end rather than at any cutoff.
SNAPSHOT_COLUMNS = {"tier", "tenure_months", "monthly_charges"}

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # "num" | "cat"
    known_at: str = "cutoff"  # cutoff | static (a customer attribute) | snapshot (data end) | label
    source: str = "orders"  # orders | tickets | customers
    expr: str | None = None  # SQL over orders `t` with one `?`: the day it is measured at


def _day(days: int) -> str:
    """The day `days` after the bound day (one `?`)."""
    return dialect.plus_days(dialect.as_date("?"), days)


#: History features, each measured at the cutoff from orders/tickets up to it.
ORDER_FEATURES = (
    Feature("recency_days", "num", expr=dialect.days_between("max(t._day)", "?")),
    Feature("tenure_days", "num", expr=dialect.days_between("min(t._day)", "?")),
    Feature("orders_90d", "num", expr=f"count(*) FILTER (WHERE t._order_first AND t._day > {_day(-90)})"),
    Feature(
        "orders_prev_90d",
        "num",
        expr=f"count(*) FILTER (WHERE t._order_first AND t._day BETWEEN {_day(-179)} AND {_day(-90)})",
    ),
    Feature("orders_365d", "num", expr=f"count(*) FILTER (WHERE t._order_first AND t._day > {_day(-365)})"),
    Feature("revenue_365d", "num", expr=f"coalesce(sum(t.amount) FILTER (WHERE t._day > {_day(-365)}), 0)"),
    Feature("orders_total", "num", expr="count(*) FILTER (WHERE t._order_first AND t._day <= ?)"),
)
#: The channel of most of a customer's orders up to the cutoff, ties to the first by name
#: (`mode()` broke ties arbitrarily: the same customer's main channel changed between runs).
MAIN_CHANNEL = dialect.most_frequent("t.channel", "t._day <= ?")
TICKET_FEATURES = ("complaints_90d", "complaints_total", "tickets_365d", "late_tickets", "csat_365d")


@dataclass
class Frames:
    """What a model learns from: training and held-out features (x) and labels (y), the customers
    to score, the cutoffs, and notes saying what was sampled."""

    train_x: pd.DataFrame
    train_y: np.ndarray
    test_x: pd.DataFrame
    test_y: np.ndarray
    score: pd.DataFrame
    cutoffs: list[dt.date]
    eval_cutoff: dt.date | None
    as_of: dt.date | None
    notes: list[Message] = field(default_factory=list)

    def fingerprint(self) -> bytes | object:
        """A digest of everything here (the values with their index, columns and types, the
        labels, cutoffs and notes): equal frames learn the same model. Frames pandas cannot hash
        get a key of their own (never equal to another)."""
        digest = hashlib.blake2b(digest_size=20)
        try:
            for frame in (self.train_x, self.test_x, self.score):
                digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
                digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except (TypeError, ValueError):  # unhashable cells
            return object()
        for labels in (self.train_y, self.test_y):
            digest.update(repr((str(labels.dtype), labels.shape)).encode() + np.ascontiguousarray(labels).tobytes())
        digest.update(repr((self.cutoffs, self.eval_cutoff, self.as_of, self.notes)).encode())
        return digest.digest()


def customer_features(scope: Scope, temporal: bool) -> list[Feature]:
    """The customers table's attributes: categorical (few levels) and, for snapshot data,
    numeric columns (tenure, charges …)."""
    if not scope.snap.has("customers"):
        return []
    types = scope.query(f"DESCRIBE SELECT * FROM {scope.table('customers')}").set_index("column_name")["column_type"]
    cats = set(churn.attributes(scope)) - set(churn.COMPUTED_ATTRIBUTES)
    out = []
    for col, kind in types.items():
        if col in churn.NOT_ATTRIBUTES - {"churned", "churn_date"} or kind.startswith(("DATE", "TIMESTAMP")):
            continue
        known = "snapshot" if col in SNAPSHOT_COLUMNS else "static"
        if col in cats:
            out.append(Feature(col, "cat", known, "customers"))
        elif kind.startswith(("DOUBLE", "FLOAT", "DECIMAL", "INT", "BIGINT", "SMALLINT", "HUGEINT")):
            out.append(Feature(col, "num", "snapshot", "customers"))
        elif kind == "VARCHAR" and not temporal:  # numbers kept as text (Telco TotalCharges)
            out.append(Feature(col, "num", "snapshot", "customers"))
        elif col in ("churned", "churn_date"):
            out.append(Feature(col, "cat", "snapshot", "customers"))
    return out


def candidate_features(scope: Scope, temporal: bool) -> list[Feature]:
    out = []
    if temporal and scope.has("orders", "customer_id", "order_date"):
        out += list(ORDER_FEATURES)
        if scope.has("orders", "channel"):
            out.append(Feature("main_channel", "cat", expr=MAIN_CHANNEL))
    if temporal and scope.has("tickets", "customer_id", "created_at"):
        out += [Feature(name, "num", source="tickets") for name in TICKET_FEATURES]
    return out + customer_features(scope, temporal)


def is_temporal(scope: Scope, d: Definition) -> bool:
    """Churn placed in time (behavioural, or a flag with dates) and orders to build history."""
    timed = d.kind == "behavioural" or d.dated
    return timed and scope.has("orders", "customer_id", "order_date") and scope.data_end is not None


# --- the customer sample --------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """SQL keeping a population's rows to the sampled customers (`p.customer_id IN (…)`), or
    nothing when every customer is used; and the counts for the note."""

    sql: str = ""
    params: tuple = ()
    taken: int = 0
    total: int = 0

    def note(self) -> list[Message]:
        if not self.sql:
            return []
        return [msg("churn.model.sampled", sample=f"{self.taken:,}", total=f"{self.total:,}")]


def sample(scope: Scope, d: Definition) -> Sample:
    """At most `settings.CHURN_SAMPLE_CUSTOMERS` of the customers the model could learn from:
    those first in `dialect.sample_key` order, the same at every cutoff, on every run and engine."""
    if d.kind == "explicit":  # the flag's customers
        where, params = scope.where("customers", "c", period=False)
        universe = f"SELECT c.customer_id FROM {scope.table('customers')} c WHERE {where}"
    else:  # customers with counted orders
        where, params = churn._orders(scope)
        universe = f"SELECT DISTINCT t.customer_id FROM {scope.table('orders')} t WHERE {where}"
    total = int(scope.scalar(f"SELECT count(*) FROM ({universe})", params) or 0)
    bound = settings.CHURN_SAMPLE_CUSTOMERS
    if total <= bound:
        return Sample(total=total, taken=total)
    sql = (
        f"p.customer_id IN (SELECT u.customer_id FROM ({universe}) u "
        f"ORDER BY {dialect.sample_key('u.customer_id')}, u.customer_id LIMIT {int(bound)})"
    )
    return Sample(sql, tuple(params), bound, total)


# --- frames ---------------------------------------------------------------------------------


def frame_at(
    scope: Scope,
    d: Definition,
    day: dt.date,
    features: list[Feature],
    labelled: bool = True,
    within: Sample | None = None,
) -> pd.DataFrame:
    """One row per customer not churned on `day` (of the sample, if any): customer_id, churned
    (in the N days after), and the features measured at `day`."""
    pop_sql, params = churn.status_at(scope, d, day)
    if within is not None and within.sql:
        pop_sql, params = f"SELECT * FROM ({pop_sql}) p WHERE {within.sql}", [*params, *within.params]
    selects, joins = ["p.customer_id", "p.churned" if labelled else "NULL AS churned"], []
    order_feats = [f for f in features if f.source == "orders"]
    if any(f.known_at == "label" for f in features):
        raise ValueError("features measured at the label date are leakage: guard() refuses them")
    if order_feats:
        cond, oparams = churn._orders(scope)
        cols, fparams = [], []
        for f in order_feats:
            cols.append(f"{f.expr} AS {quote(f.name)}")
            fparams += [day] * f.expr.count("?")
            selects.append(f"o.{quote(f.name)}")
        joins.append(
            (
                f"LEFT JOIN (SELECT t.customer_id, {', '.join(cols)} FROM {scope.table('orders')} t "
                f"WHERE {cond} AND t._day <= ? GROUP BY t.customer_id) o ON o.customer_id = p.customer_id",
                [*fparams, *oparams, day],
            )
        )
    ticket_feats = [f.name for f in features if f.source == "tickets"]
    if ticket_feats:
        joins.append(_ticket_join(scope, ticket_feats, day))
        selects += [f"k.{name}" for name in ticket_feats]
    cust_feats = [f for f in features if f.source == "customers"]
    if cust_feats:
        selects += [f"{_customer_column(f)} AS {quote(f.name)}" for f in cust_feats]
        joins.append((f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = p.customer_id", []))
    join_sql = " ".join(j for j, _ in joins)
    join_params = [p for _, ps in joins for p in ps]
    frame = scope.query(
        f"WITH p AS ({pop_sql}) SELECT {', '.join(selects)} FROM p {join_sql} ORDER BY p.customer_id",
        [*params, *join_params],
        cap=10_000_000,
    )
    for name in ticket_feats:
        if name != "csat_365d":
            frame[name] = frame[name].fillna(0)
    return typed(frame, features)


def _ticket_join(scope: Scope, names: list[str], day: dt.date) -> tuple[str, list]:
    """The tickets features measured at `day`, as a LEFT JOIN `k` and its parameters."""
    cols = scope.columns["tickets"]
    complaint = complaint_condition(cols)
    csat = f"avg(t.satisfaction) FILTER (WHERE t.created_at > {_day(-365)}" + (
        f" AND t.resolved_at < {_day(1)})" if "resolved_at" in cols else ")"
    )
    late = (
        f"count(*) FILTER (WHERE t._due < {_day(1)} AND (t.resolved_at IS NULL OR t.resolved_at > t._due))"
        if "resolved_at" in cols
        else "0"
    )
    exprs = {
        "complaints_90d": (f"count(*) FILTER (WHERE {complaint} AND t.created_at > {_day(-90)})", 1),
        "complaints_total": (f"count(*) FILTER (WHERE {complaint})", 0),
        "tickets_365d": (f"count(*) FILTER (WHERE t.created_at > {_day(-365)})", 1),
        "late_tickets": (late, 1 if "resolved_at" in cols else 0),
        "csat_365d": (csat if "satisfaction" in cols else "NULL", csat.count("?") if "satisfaction" in cols else 0),
    }
    tparams = [day for name in names for _ in range(exprs[name][1])]
    body = ", ".join(f"{exprs[n][0]} AS {n}" for n in names)
    tw, twp = scope.where("tickets", "t", period=False)
    return (
        f"LEFT JOIN (SELECT t.customer_id, {body} FROM {scope.table('tickets')} t "
        f"WHERE t.created_at < {_day(1)} AND {tw} GROUP BY t.customer_id) k ON k.customer_id = p.customer_id",
        [*tparams, day, *twp],
    )


def _customer_column(f: Feature) -> str:
    return f"CAST(c.{quote(f.name)} AS VARCHAR)" if f.kind == "cat" else dialect.as_number(f"c.{quote(f.name)}")


def frame_at_snapshot(scope: Scope, pop_sql: str, params: list, features: list[Feature]) -> pd.DataFrame:
    cols = "".join(f", {_customer_column(f)} AS {quote(f.name)}" for f in features)
    frame = scope.query(
        f"WITH p AS ({pop_sql}) SELECT p.customer_id, p.churned{cols} FROM p "
        f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = p.customer_id ORDER BY p.customer_id",
        params,
        cap=10_000_000,
    )
    return typed(frame, features)


def typed(frame: pd.DataFrame, features: list[Feature]) -> pd.DataFrame:
    """Categories as text with blanks as NaN, as the model's encoder expects; numbers as NumPy
    numbers (the engine may hand over nullable integers or text)."""
    for f in features:
        column = frame[f.name]
        if f.kind == "cat":
            frame[f.name] = column.astype(object).where(column.notna(), np.nan)
        elif not (isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf"):
            frame[f.name] = pd.to_numeric(column, errors="coerce").astype("float64")
    return frame


def temporal_frames(scope: Scope, d: Definition, features: list[Feature], step: Progress) -> Frames | None:
    end = scope.data_end
    eval_cutoff = end - dt.timedelta(days=d.days)
    first = scope.scalar(f"SELECT min(_day) FROM {scope.table('orders')} WHERE _valid")
    # Training cutoffs before the evaluation cutoff, each with at least N days of history.
    cutoffs = [eval_cutoff - dt.timedelta(days=d.days * k) for k in range(1, settings.CHURN_TRAIN_CUTOFFS + 1)]
    cutoffs = [c for c in cutoffs if first is not None and c - dt.timedelta(days=d.days) >= first]
    if not cutoffs:
        return None
    within = sample(scope, d)
    frames = []
    for i, c in enumerate(cutoffs):
        frames.append(frame_at(scope, d, c, features, within=within).assign(_cutoff=c))
        step(0.05 + 0.3 * (i + 1) / (len(cutoffs) + 2), "features")
    train = pd.concat(frames, ignore_index=True)
    notes = within.note()
    if len(train) > settings.CHURN_FIT_SAMPLE:
        notes.append(msg("churn.model.sampled_rows", sample=f"{settings.CHURN_FIT_SAMPLE:,}", total=f"{len(train):,}"))
        train = train.sample(settings.CHURN_FIT_SAMPLE, random_state=settings.CHURN_SEED)
    test = frame_at(scope, d, eval_cutoff, features, within=within)
    score = frame_at(scope, d, end, features, labelled=False)
    step(0.4, "features")
    y = train.pop("churned").astype(int).to_numpy()
    yt = test.pop("churned").astype(int).to_numpy()
    return Frames(train, y, test, yt, score, sorted(cutoffs), eval_cutoff, end, notes)


def snapshot_frames(scope: Scope, d: Definition, features: list[Feature]) -> Frames | None:
    from sklearn.model_selection import train_test_split  # lazily: scikit-learn takes 1 s to import

    where, params = scope.where("customers", "c", period=False)
    pop = f"SELECT c.customer_id, coalesce(c.churned, false) AS churned FROM {scope.table('customers')} c WHERE {where}"
    within = sample(scope, d)
    if within.sql:
        frame = frame_at_snapshot(
            scope, f"SELECT * FROM ({pop}) p WHERE {within.sql}", [*params, *within.params], features
        )
    else:
        frame = frame_at_snapshot(scope, pop, params, features)
    if frame["churned"].nunique() < 2 or frame["churned"].value_counts().min() < 10:
        return None
    y = frame.pop("churned").astype(int).to_numpy()
    train, test, ytr, yte = train_test_split(
        frame, y, test_size=settings.CHURN_TEST_SHARE, stratify=y, random_state=settings.CHURN_SEED
    )
    if within.sql:  # every customer still here is scored, sampled or not
        score = frame_at_snapshot(scope, f"SELECT * FROM ({pop}) p WHERE NOT p.churned", params, features)
    else:
        score = frame[y == 0]
    return Frames(train, ytr, test, yte, score.assign(churned=None), [], None, scope.data_end, within.note())
