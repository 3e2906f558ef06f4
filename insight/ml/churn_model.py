"""A churn-risk model that does not cheat (scikit-learn).

**Temporal** (orders with dates, and churn that can be placed in time): at a cutoff day c the
population is the customers not churned on c; the features come only from history up to c; the
label is churn in the N days after c (`churn.status_at`). The model is trained on cutoffs
c − N, c − 2N, … and evaluated on the later cutoff c = data end − N, whose labels it never saw.
It is then refitted on every cutoff and scores the customers not churned at the data end.

**Snapshot** (an explicit flag and no dates, like the Telco file): customer attributes only,
a stratified train/test split, and the page says so.

**Leakage guard**: a feature is refused when it names the label (churned, churn_date, …), when
it is known only after the cutoff (for example recency at the label date, which restates the
behavioural label), when it is a snapshot measure (measured at the data end, not the cutoff) in
a temporal model, or when on its own it separates churners almost perfectly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split

from insight import settings
from insight.cache import memo, peek
from insight.db.workspace import quote
from insight.domain import churn
from insight.domain.churn import Definition
from insight.i18n import Message, msg
from insight.semantic.metrics import complaint_condition
from insight.semantic.scope import Scope

#: Words that name the churn label itself (in a column name, any case).
LABEL_WORDS = re.compile(r"churn|attrition|exited|流失|离网|销户", re.IGNORECASE)
#: A feature whose own AUC on the training data reaches this is the label in disguise.
LEAK_AUC = 0.99
#: Customer columns measured at the data end rather than at any cutoff.
SNAPSHOT_COLUMNS = {"tier", "tenure_months", "monthly_charges"}
REASONS = 3  # reasons shown per customer
REASON_FEATURES = 8  # features (most important first) tried as reasons

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # "num" | "cat"
    known_at: str = "cutoff"  # cutoff | static (a customer attribute) | snapshot (data end) | label
    source: str = "orders"  # orders | tickets | customers
    expr: str | None = None  # SQL over orders `t` with one `?`: the day it is measured at


#: History features, each measured at the cutoff from orders/tickets up to it.
ORDER_FEATURES = (
    Feature("recency_days", "num", expr="datediff('day', max(t._day), ?)"),
    Feature("tenure_days", "num", expr="datediff('day', min(t._day), ?)"),
    Feature("orders_90d", "num", expr="count(*) FILTER (WHERE t._order_first AND t._day > ?::DATE - 90)"),
    Feature(
        "orders_prev_90d",
        "num",
        expr="count(*) FILTER (WHERE t._order_first AND t._day BETWEEN ?::DATE - 179 AND ?::DATE - 90)",
    ),
    Feature("orders_365d", "num", expr="count(*) FILTER (WHERE t._order_first AND t._day > ?::DATE - 365)"),
    Feature("revenue_365d", "num", expr="coalesce(sum(t.amount) FILTER (WHERE t._day > ?::DATE - 365), 0)"),
    Feature("orders_total", "num", expr="count(*) FILTER (WHERE t._order_first AND t._day <= ?)"),
)
TICKET_FEATURES = ("complaints_90d", "complaints_total", "tickets_365d", "late_tickets", "csat_365d")


@dataclass
class Model:
    mode: str  # temporal | snapshot
    definition: Definition
    cutoffs: list[dt.date]  # training cutoffs (temporal)
    eval_cutoff: dt.date | None
    features: list[str]
    refused: dict[str, Message]  # feature -> why it was refused
    metrics: dict  # roc_auc, pr_auc, baseline..., rule..., prevalence, n_train, n_test
    calibration: pd.DataFrame  # predicted, observed (held-out)
    importance: pd.DataFrame  # feature, importance, std
    scores: pd.DataFrame = field(repr=False)  # customer_id, risk, reasons [(feature, value)]
    as_of: dt.date | None = None

    def summary(self) -> dict:
        return {
            "mode": self.mode,
            "eval_cutoff": self.eval_cutoff,
            "train_cutoffs": ", ".join(str(c) for c in self.cutoffs),
            "as_of": self.as_of,
            **self.metrics,
        }


# --- features -------------------------------------------------------------------------------


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
            out.append(Feature("main_channel", "cat", expr="mode(t.channel) FILTER (WHERE t._day <= ?)"))
    if temporal and scope.has("tickets", "customer_id", "created_at"):
        out += [Feature(name, "num", source="tickets") for name in TICKET_FEATURES]
    return out + customer_features(scope, temporal)


def guard(features: list[Feature], temporal: bool) -> tuple[list[Feature], dict[str, Message]]:
    """The features a model may use, and the refused ones with the reason."""
    kept, refused = [], {}
    for f in features:
        if LABEL_WORDS.search(f.name):
            refused[f.name] = msg("churn.refused.label")
        elif f.known_at == "label":
            refused[f.name] = msg("churn.refused.after")
        elif temporal and f.known_at == "snapshot":
            refused[f.name] = msg("churn.refused.snapshot")
        else:
            kept.append(f)
    return kept, refused


def single_aucs(frame: pd.DataFrame, y: np.ndarray, features: list[Feature]) -> dict[str, float]:
    """Each feature's ROC AUC on its own (a one-feature rule) on the training data."""
    if len(np.unique(y)) < 2:
        return {}
    return {f.name: float(roc_auc_score(y, _single_score(frame[f.name], y, frame[f.name], f.kind))) for f in features}


def guard_empirical(aucs: dict[str, float]) -> dict[str, Message]:
    """Features that on their own separate churners almost perfectly: the label in disguise."""
    return {
        name: msg("churn.refused.disguise", auc=f"{max(auc, 1 - auc):.3f}")
        for name, auc in aucs.items()
        if max(auc, 1 - auc) >= LEAK_AUC
    }


def _single_score(train: pd.Series, y: np.ndarray, apply: pd.Series, kind: str) -> np.ndarray:
    """A one-feature rule: the training churn rate of the value's group (categories), or the
    value itself (numbers, missing as the median)."""
    if kind == "cat":
        rates = pd.Series(y).groupby(train.astype(object).fillna("—").to_numpy()).mean()
        return apply.astype(object).fillna("—").map(rates).fillna(y.mean()).to_numpy(float)
    # As floats: a whole-number column (Int64) cannot take a median such as 370.5 into its blanks.
    values = pd.to_numeric(apply, errors="coerce").astype("float64")
    return values.fillna(pd.to_numeric(train, errors="coerce").median()).fillna(0).to_numpy(float)


def frame_at(scope: Scope, d: Definition, day: dt.date, features: list[Feature], labelled: bool = True) -> pd.DataFrame:
    """One row per customer not churned on `day`: customer_id, churned (in the N days after),
    and the features measured at `day`."""
    pop_sql, params = churn.status_at(scope, d, day)
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
        cols = scope.columns["tickets"]
        complaint = complaint_condition(cols)
        csat = "avg(t.satisfaction) FILTER (WHERE t.created_at > ?::DATE - 365" + (
            " AND t.resolved_at < ?::DATE + 1)" if "resolved_at" in cols else ")"
        )
        late = (
            "count(*) FILTER (WHERE t._due < ?::DATE + 1 AND (t.resolved_at IS NULL OR t.resolved_at > t._due))"
            if "resolved_at" in cols
            else "0"
        )
        exprs = {
            "complaints_90d": (f"count(*) FILTER (WHERE {complaint} AND t.created_at > ?::DATE - 90)", 1),
            "complaints_total": (f"count(*) FILTER (WHERE {complaint})", 0),
            "tickets_365d": ("count(*) FILTER (WHERE t.created_at > ?::DATE - 365)", 1),
            "late_tickets": (late, 1 if "resolved_at" in cols else 0),
            "csat_365d": (csat if "satisfaction" in cols else "NULL", csat.count("?") if "satisfaction" in cols else 0),
        }
        tparams = []
        for name in ticket_feats:
            tparams += [day] * exprs[name][1]
            selects.append(f"k.{name}")
        body = ", ".join(f"{exprs[n][0]} AS {n}" for n in ticket_feats)
        tw, twp = scope.where("tickets", "t", period=False)
        joins.append(
            (
                f"LEFT JOIN (SELECT t.customer_id, {body} FROM {scope.table('tickets')} t "
                f"WHERE t.created_at < ?::DATE + 1 AND {tw} GROUP BY t.customer_id) k ON k.customer_id = p.customer_id",
                [*tparams, day, *twp],
            )
        )
    cust_feats = [f for f in features if f.source == "customers"]
    if cust_feats:
        exprs = [
            f"CAST(c.{quote(f.name)} AS VARCHAR)" if f.kind == "cat" else f"TRY_CAST(c.{quote(f.name)} AS DOUBLE)"
            for f in cust_feats
        ]
        selects += [f"{e} AS {quote(f.name)}" for e, f in zip(exprs, cust_feats, strict=True)]
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
    return frame


# --- training -------------------------------------------------------------------------------


def is_temporal(scope: Scope, d: Definition) -> bool:
    """Churn placed in time (behavioural, or a flag with dates) and orders to build history."""
    timed = d.kind == "behavioural" or d.dated
    return timed and scope.has("orders", "customer_id", "order_date") and scope.data_end is not None


def cache_key(scope: Scope, d: Definition, extra: tuple[Feature, ...] = ()) -> tuple:
    # (the row scope too: every scope reads the same tables, through its own predicate)
    return (str(scope.ws.path), tuple(sorted(scope.snap.tables.items())), scope.snap.rows, scope.filters.dims, d, extra)


def cached(scope: Scope, d: Definition) -> Model | None:
    return peek(train, scope, d)


@memo(6, key=lambda scope, d, progress=None, extra=(): cache_key(scope, d, extra), heavy=True)
def train(
    scope: Scope, d: Definition, progress: Progress | None = None, extra: tuple[Feature, ...] = ()
) -> Model | None:
    """Train, evaluate and score (cached per data version, filters and definition). `extra`:
    more features to offer the model (they pass the leakage guard like any other).
    None when there is too little to learn from (no customers, or one class only)."""
    step = progress or (lambda fraction, stage: None)
    temporal = is_temporal(scope, d)
    if not temporal and not (d.kind == "explicit" and scope.has("customers", "churned")):
        return None
    features, refused = guard([*candidate_features(scope, temporal), *extra], temporal)
    step(0.05, "features")
    if temporal:
        found = _temporal_frames(scope, d, features, step)
    else:
        found = _snapshot_frames(scope, d, features)
    if found is None:
        return None
    train_x, train_y, test_x, test_y, score_frame, cutoffs, eval_cutoff, as_of = found
    aucs = single_aucs(train_x, train_y, features)
    refused.update(guard_empirical(aucs))
    # A feature with (almost) no values in the training data (no tickets before any cutoff, say)
    # has nothing to teach, and the model's binning cannot take a column without values.
    few = settings.MIN_GROUP
    refused.update({f.name: msg("churn.refused.empty", n=few) for f in features if train_x[f.name].notna().sum() < few})
    features = [f for f in features if f.name not in refused]
    if not features or len(np.unique(train_y)) < 2 or len(np.unique(test_y)) < 2:
        return None
    categories = {f.name: _categories(train_x[f.name]) for f in features if f.kind == "cat"}
    prepare = _preparer(features, categories)
    step(0.45, "fit")
    model = _fit(prepare(train_x), train_y, features)
    step(0.65, "evaluate")
    xt = prepare(test_x)
    risk = model.predict_proba(xt)[:, 1]
    metrics = _evaluate(features, aucs, train_x, train_y, test_x, test_y, risk)
    observed, predicted = calibration_curve(test_y, risk, n_bins=10, strategy="quantile")
    calibration = pd.DataFrame({"predicted": predicted, "observed": observed})
    step(0.75, "importance")
    importance = _importance(model, xt, test_y, features)
    step(0.85, "score")
    if temporal:  # refit on every cutoff, the latest included, to score today's customers
        final = _fit(prepare(pd.concat([train_x, test_x])), np.concatenate([train_y, test_y]), features)
    else:
        final = model
    scores = _score(final, prepare, score_frame, importance, features)
    result = Model(
        "temporal" if temporal else "snapshot",
        d,
        cutoffs,
        eval_cutoff,
        [f.name for f in features],
        refused,
        metrics,
        calibration,
        importance,
        scores,
        as_of,
    )
    step(1.0, "done")
    return result


def _temporal_frames(scope: Scope, d: Definition, features: list[Feature], step: Progress):
    end = scope.data_end
    eval_cutoff = end - dt.timedelta(days=d.days)
    first = scope.scalar(f"SELECT min(_day) FROM {scope.table('orders')} WHERE _valid")
    # Training cutoffs before the evaluation cutoff, each with at least N days of history.
    cutoffs = [eval_cutoff - dt.timedelta(days=d.days * k) for k in range(1, settings.CHURN_TRAIN_CUTOFFS + 1)]
    cutoffs = [c for c in cutoffs if first is not None and c - dt.timedelta(days=d.days) >= first]
    if not cutoffs:
        return None
    frames = []
    for i, c in enumerate(cutoffs):
        frames.append(frame_at(scope, d, c, features).assign(_cutoff=c))
        step(0.05 + 0.3 * (i + 1) / (len(cutoffs) + 2), "features")
    train = pd.concat(frames, ignore_index=True)
    if len(train) > settings.CHURN_FIT_SAMPLE:
        train = train.sample(settings.CHURN_FIT_SAMPLE, random_state=settings.CHURN_SEED)
    test = frame_at(scope, d, eval_cutoff, features)
    score = frame_at(scope, d, end, features, labelled=False)
    step(0.4, "features")
    y = train.pop("churned").astype(int).to_numpy()
    yt = test.pop("churned").astype(int).to_numpy()
    return train, y, test, yt, score, sorted(cutoffs), eval_cutoff, end


def _snapshot_frames(scope: Scope, d: Definition, features: list[Feature]):
    where, params = scope.where("customers", "c", period=False)
    pop = f"SELECT c.customer_id, coalesce(c.churned, false) AS churned FROM {scope.table('customers')} c WHERE {where}"
    frame = frame_at_snapshot(scope, pop, params, features)
    if frame["churned"].nunique() < 2 or frame["churned"].value_counts().min() < 10:
        return None
    y = frame.pop("churned").astype(int).to_numpy()
    train, test, ytr, yte = train_test_split(
        frame, y, test_size=settings.CHURN_TEST_SHARE, stratify=y, random_state=settings.CHURN_SEED
    )
    score = frame[y == 0].assign(churned=None)  # the customers still here
    return train, ytr, test, yte, score, [], None, scope.data_end


def frame_at_snapshot(scope: Scope, pop_sql: str, params: list, features: list[Feature]) -> pd.DataFrame:
    exprs = [
        f"CAST(c.{quote(f.name)} AS VARCHAR)" if f.kind == "cat" else f"TRY_CAST(c.{quote(f.name)} AS DOUBLE)"
        for f in features
    ]
    cols = "".join(f", {e} AS {quote(f.name)}" for e, f in zip(exprs, features, strict=True))
    return scope.query(
        f"WITH p AS ({pop_sql}) SELECT p.customer_id, p.churned{cols} FROM p "
        f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = p.customer_id ORDER BY p.customer_id",
        params,
        cap=10_000_000,
    )


def _categories(values: pd.Series) -> list[str]:
    counts = values.dropna().astype(str).value_counts()
    return sorted(counts.index[: settings.CHURN_MAX_LEVELS])


def _preparer(features: list[Feature], categories: dict[str, list[str]]):
    """frame -> a float matrix: numbers as they are, categories as their code in the training
    categories (unseen values and blanks missing). Plain codes keep prediction fast: the model's
    own category encoding would run again on every predict."""

    def prepare(frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for f in features:
            if f.kind == "cat":
                codes = pd.Categorical(frame[f.name].astype("string"), categories=categories[f.name]).codes
                columns.append(np.where(codes < 0, np.nan, codes))
            else:
                columns.append(pd.to_numeric(frame[f.name], errors="coerce").to_numpy(float))
        return np.column_stack(columns).astype(float)

    return prepare


def _fit(x: np.ndarray, y: np.ndarray, features: list[Feature]) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        categorical_features=np.array([f.kind == "cat" for f in features]),
        early_stopping=True,  # on a held-back 15 % of the training rows: small data overfits fast
        validation_fraction=0.15,
        n_iter_no_change=15,
        random_state=settings.CHURN_SEED,
    )
    return model.fit(x, y)


def _evaluate(features, aucs, train_x, train_y, test_x, test_y, risk) -> dict:
    """Held-out ROC AUC and PR AUC of the model, of the majority class and of the best
    one-feature rule (chosen on the training data)."""
    best = max(features, key=lambda f: max(aucs[f.name], 1 - aucs[f.name]), default=None)
    sign = 1 if best is None or aucs[best.name] >= 0.5 else -1
    prevalence = float(test_y.mean())
    out = {
        "roc_auc": float(roc_auc_score(test_y, risk)),
        "pr_auc": float(average_precision_score(test_y, risk)),
        "baseline_roc_auc": 0.5,  # the majority class ranks no one above anyone
        "baseline_pr_auc": prevalence,
        "rule": best.name if best else None,
        "rule_roc_auc": None,
        "rule_pr_auc": None,
        "prevalence": prevalence,
        "train_rows": len(train_y),
        "test_rows": len(test_y),
    }
    if best is not None:
        rule = sign * _single_score(train_x[best.name], train_y, test_x[best.name], best.kind)
        out["rule_roc_auc"] = float(roc_auc_score(test_y, rule))
        out["rule_pr_auc"] = float(average_precision_score(test_y, rule))
    return out


def _importance(model, x: np.ndarray, y: np.ndarray, features: list[Feature]) -> pd.DataFrame:
    if len(x) > settings.CHURN_IMPORTANCE_ROWS:
        x, _, y, _ = train_test_split(
            x, y, train_size=settings.CHURN_IMPORTANCE_ROWS, stratify=y, random_state=settings.CHURN_SEED
        )
    found = permutation_importance(
        model, x, y, scoring="roc_auc", n_repeats=3, random_state=settings.CHURN_SEED, n_jobs=1
    )
    frame = pd.DataFrame(
        {"feature": [f.name for f in features], "importance": found.importances_mean, "std": found.importances_std}
    )
    return frame.sort_values("importance", ascending=False, ignore_index=True)


def _score(model, prepare, frame: pd.DataFrame, importance: pd.DataFrame, features: list[Feature]) -> pd.DataFrame:
    """Risk per customer and their top reasons: the features whose typical value (the median,
    or the most common category) would lower the customer's risk the most."""
    x = prepare(frame)
    risk = model.predict_proba(x)[:, 1]
    index = {f.name: i for i, f in enumerate(features)}
    top = [f for f in importance["feature"] if f in index][:REASON_FEATURES]
    lifts = {}
    for name in top:
        column = x[:, index[name]]
        known = column[~np.isnan(column)]
        if features[index[name]].kind == "cat":
            typical = np.bincount(known.astype(int)).argmax() if len(known) else np.nan
        else:
            typical = np.median(known) if len(known) else np.nan
        swapped = x.copy()
        swapped[:, index[name]] = typical
        lifts[name] = risk - model.predict_proba(swapped)[:, 1]
    reasons: list[list] = [[] for _ in range(len(x))]
    if top:
        lift = np.column_stack([lifts[name] for name in top])
        order = np.argsort(-lift, axis=1)[:, :REASONS]
        values = {name: frame[name].to_numpy(object) for name in top}
        for i, row in enumerate(order):
            reasons[i] = [(top[j], _shown(values[top[j]][i])) for j in row if lift[i, j] > 0.01]
    return pd.DataFrame({"customer_id": frame["customer_id"].to_numpy(), "risk": risk, "reasons": reasons})


def _shown(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"
    return str(value)


# --- the at-risk list -----------------------------------------------------------------------


def at_risk(scope: Scope, model: Model) -> tuple[pd.DataFrame, str]:
    """Customers still here, ranked by risk × value: customer_id, name, risk, value,
    expected_loss, tier, last_contact and reasons. The value is CLV where orders exist, else a
    year of monthly charges, else none (ranked by risk alone). Returns (frame, value basis)."""
    frame = model.scores[["customer_id", "risk", "reasons"]].copy()
    basis = "none"
    if scope.has("orders", "customer_id", "order_date") and scope.period:
        from insight.domain import segments

        seg_scope = segments.with_segments(scope)
        if seg_scope.snap.has(segments.SEGMENTS):
            clv = segments.clv_inputs(seg_scope)
            values = scope.query(
                f"SELECT s.customer_id, {clv.sql('s')} AS value, s.tier FROM {seg_scope.table(segments.SEGMENTS)} s "
                "WHERE s.active",
                cap=10_000_000,
            )
            frame = frame.merge(values, on="customer_id", how="left")
            basis = "clv"
    if basis == "none" and scope.has("customers", "monthly_charges"):
        values = scope.query(
            f"SELECT customer_id, 12 * TRY_CAST(monthly_charges AS DOUBLE) AS value FROM {scope.table('customers')}",
            cap=10_000_000,
        )
        frame = frame.merge(values, on="customer_id", how="left")
        basis = "annual_charges"
    if "tier" not in frame and scope.has("customers", "tier"):
        tiers = scope.query(f"SELECT customer_id, tier FROM {scope.table('customers')}", cap=10_000_000)
        frame = frame.merge(tiers, on="customer_id", how="left")
    if scope.has("customers", "name"):
        names = scope.query(f"SELECT customer_id, name FROM {scope.table('customers')}", cap=10_000_000)
        frame = frame.merge(names, on="customer_id", how="left")
    touches = []
    if scope.has("tickets", "customer_id", "created_at"):
        touches.append(f"SELECT customer_id, max(created_at) AS touched FROM {scope.table('tickets')} GROUP BY 1")
    if scope.has("contacts", "customer_id", "contacted_at"):
        touches.append(f"SELECT customer_id, max(contacted_at) AS touched FROM {scope.table('contacts')} GROUP BY 1")
    if touches:
        last = scope.query(
            f"SELECT customer_id, max(touched) AS last_contact FROM ({' UNION ALL '.join(touches)}) GROUP BY 1",
            cap=10_000_000,
        )
        frame = frame.merge(last, on="customer_id", how="left")
    if "value" not in frame:
        frame["value"] = np.nan
    frame["expected_loss"] = frame["risk"] * frame["value"]
    frame = frame.sort_values(
        ["expected_loss", "risk", "customer_id"], ascending=[False, False, True], na_position="last"
    )
    cols = ["customer_id", "name", "risk", "value", "expected_loss", "tier", "last_contact", "reasons"]
    return frame[[c for c in cols if c in frame]].reset_index(drop=True), basis


def reason_text(reasons, label) -> str:
    """`reasons` as one line, with feature names through `label` (the catalog)."""
    return "; ".join(f"{label(name)} = {value}" for name, value in reasons)


def customer_risk(model: Model, customer_id: str) -> dict | None:
    row = model.scores[model.scores["customer_id"] == customer_id]
    if row.empty:
        return None
    return {"risk": float(row["risk"].iloc[0]), "reasons": row["reasons"].iloc[0]}


def retention_list(
    scope: Scope, model: Model, label, attributes: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole at-risk list for a retention campaign (维系挽留), reasons as text, with the chosen
    customer attributes, and where it came from (data version, period, filters, definition,
    model) for the side sheet."""
    listed, basis = at_risk(scope, model)
    listed = listed.assign(reasons=[reason_text(r, label) for r in listed["reasons"]])
    wanted = [c for c in dict.fromkeys(attributes) if c in scope.columns.get("customers", ()) and c not in listed]
    if wanted:
        extra = scope.query(
            f"SELECT customer_id, {', '.join(quote(c) for c in wanted)} FROM {scope.table('customers')}",
            cap=10_000_000,
        )
        listed = listed.merge(extra, on="customer_id", how="left")
    d = model.definition
    trace = [
        {"filter": "ds", "values": str(scope.snap.version)},
        {"filter": "period", "values": f"{scope.period[0]} – {scope.period[1]}" if scope.period else ""},
        *[r for r in scope.filters.describe() if r["filter"] not in ("(none)", "tab")],
        {"filter": "churn", "values": f"{d.kind}, {d.days} days"},
        {"filter": "model", "values": f"{model.mode}, scored on {model.as_of}, ROC AUC {model.metrics['roc_auc']:.3f}"},
        {"filter": "value", "values": basis},
        {"filter": "customers", "values": str(len(listed))},
    ]
    return listed, pd.DataFrame(trace)
