"""Behavioural clusters of customers (scikit-learn k-means) over the period's active customers.

Features: log R, log F, log M, tenure, complaint count and CSAT where tickets exist, and the
share of revenue through each channel. The model is a pipeline of a scaler and k-means, fitted on
at most `settings.CLUSTER_FIT_SAMPLE` customers (a seeded sample, so the labels are the same for
the same data version and settings; the page says when it sampled), which then assigns every
customer.
Without a k from the user, k is the one of 2…8 with the best silhouette on a subsample.
Clusters are numbered by average revenue, highest first, and named from their centroid's
largest z-scores (for example "high value · frequent · App-first").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight import settings
from insight.cache import memo, peek
from insight.db.workspace import quote
from insight.domain.segments import SEGMENTS, population
from insight.i18n import Message, msg
from insight.semantic.filters import whole_number
from insight.semantic.metrics import complaint_condition
from insight.semantic.scope import Scope

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MAX_CHANNELS = 8  # channel-share features: the channels with the most revenue
NAME_Z = 0.5  # a feature names a cluster when its centroid is this many SDs from the mean
NAME_PARTS = 3
PROJECTION_POINTS = 3000

#: (word when the centroid is high, word when low) per feature; None: not worth naming.
WORDS = {
    "log_recency": ("lapsed", "recent"),
    "log_frequency": ("frequent", "occasional"),
    "log_monetary": ("high_value", "low_value"),
    "tenure_days": ("long_standing", "newer"),
    "complaints": ("complaining", None),
    "csat": ("satisfied", "dissatisfied"),
}


@dataclass
class Clusters:
    k: int
    chosen: str  # "silhouette" | "user"
    silhouettes: dict[int, float]
    features: list[str]
    profile: pd.DataFrame  # one row per cluster
    projection: pd.DataFrame  # x, y, cluster for a sample of customers
    labels: pd.DataFrame = field(repr=False)  # customer_id, cluster
    notes: list[Message] = field(default_factory=list)  # what was sampled

    def name(self, cluster: int) -> list[tuple[str, str | None]]:
        """(word, channel) pairs naming a cluster; translate the words with `cluster.word.*`."""
        return self.profile.set_index("cluster").loc[cluster, "name_parts"]


def features(scope: Scope) -> pd.DataFrame:
    """One row per active customer in scope (ordered by customer_id): the raw features."""
    where, params = population(scope)
    period = [scope.period[0], scope.period[1] + pd.Timedelta(days=1)]
    joins, cols, extra_params = [], [], []
    if scope.has("orders", "channel"):
        top = scope.query(
            f"SELECT channel FROM {scope.table('orders')} t WHERE t._valid AND t.channel IS NOT NULL "
            "AND t.order_date >= ? AND t.order_date < ? GROUP BY channel ORDER BY sum(t.amount) DESC, channel "
            f"LIMIT {MAX_CHANNELS}",
            period,
        )["channel"].tolist()
        if len(top) > 1:
            share = "coalesce(sum(t.amount) FILTER (WHERE t.channel = ?) / nullif(sum(t.amount), 0), 0) AS {}"
            shares = ", ".join(share.format(quote("share_" + c)) for c in top)
            joins.append(
                f"LEFT JOIN (SELECT t.customer_id, {shares} FROM {scope.table('orders')} t WHERE t._valid "
                "AND t.order_date >= ? AND t.order_date < ? GROUP BY t.customer_id) ch "
                "ON ch.customer_id = s.customer_id"
            )
            extra_params += [*top, *period]
            cols += [f"coalesce(ch.{quote('share_' + c)}, 0) AS {quote('share_' + c)}" for c in top]
    if scope.has("tickets", "customer_id", "created_at"):
        cond = complaint_condition(scope.columns["tickets"])
        csat = "avg(t.satisfaction)" if "satisfaction" in scope.columns["tickets"] else "NULL"
        joins.append(
            f"LEFT JOIN (SELECT t.customer_id, count(*) FILTER (WHERE {cond}) AS complaints, {csat} AS csat "
            f"FROM {scope.table('tickets')} t WHERE t.created_at >= ? AND t.created_at < ? GROUP BY t.customer_id) tk "
            "ON tk.customer_id = s.customer_id"
        )
        extra_params += period
        cols += ["coalesce(tk.complaints, 0) AS complaints", "tk.csat AS csat"]
    select = ", ".join(
        [
            "s.customer_id",
            "ln(1 + s.recency) AS log_recency",
            "ln(1 + s.frequency) AS log_frequency",
            "ln(1 + greatest(s.monetary, 0)) AS log_monetary",
            "s.tenure_days",
            *cols,
            "s.monetary",
        ]
    )
    frame = scope.query(
        f"SELECT {select} FROM {scope.table(SEGMENTS)} s {' '.join(joins)} WHERE {where} ORDER BY s.customer_id",
        extra_params + params,
        cap=10_000_000,
    )
    if "csat" in frame:
        if frame["csat"].notna().any():
            frame["csat"] = frame["csat"].fillna(frame["csat"].mean())  # no ticket: the average customer
        else:
            frame = frame.drop(columns="csat")
    return frame


@memo(8, key=lambda scope, k=None, progress=None: _key(scope, k), heavy=True)
def run(scope: Scope, k: int | None = None, progress=None) -> Clusters | None:
    """Cluster the scope's active customers; None when there are too few to cluster."""
    from sklearn.cluster import KMeans  # lazily, as every scikit-learn import: 1 s
    from sklearn.metrics import silhouette_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = features(scope)
    names = [c for c in frame.columns if c not in ("customer_id", "monetary")]
    names = [c for c in names if frame[c].std() > 0]  # a constant says nothing
    low, high = settings.CLUSTER_K_RANGE
    if len(frame) < max(20, high * 3) or not names:
        return None
    x = frame[names].to_numpy(dtype=float)
    rng = np.random.default_rng(settings.CLUSTER_SEED)
    fit_rows = rng.choice(len(x), size=min(len(x), settings.CLUSTER_FIT_SAMPLE), replace=False)
    fit_rows.sort()
    sample = x[fit_rows]
    score_rows = rng.choice(len(sample), size=min(len(sample), settings.CLUSTER_SILHOUETTE_SAMPLE), replace=False)
    silhouettes: dict[int, float] = {}
    models: dict[int, Pipeline] = {}
    ks = [k] if k else list(range(low, high + 1))
    for i, kk in enumerate(ks):
        model = make_pipeline(StandardScaler(), KMeans(n_clusters=kk, n_init=4, random_state=settings.CLUSTER_SEED))
        models[kk] = model.fit(sample)
        scaled = model[0].transform(sample[score_rows])
        silhouettes[kk] = float(silhouette_score(scaled, model[-1].labels_[score_rows]))
        if progress:
            progress((i + 1) / len(ks))
    best = k or max(silhouettes, key=lambda kk: (round(silhouettes[kk], 6), -kk))
    raw = models[best].predict(x)
    # Number clusters by average revenue, highest first, so "cluster 1" means the same each run.
    order = pd.Series(frame["monetary"].to_numpy()).groupby(raw).mean().sort_values(ascending=False).index
    relabel = {old: new + 1 for new, old in enumerate(order)}
    labels = np.vectorize(relabel.get)(raw)
    scale = models[best][0]
    notes = []
    if len(sample) < len(x):
        notes.append(msg("cluster.sampled", sample=f"{len(sample):,}", total=f"{len(x):,}"))
    result = Clusters(
        k=best,
        chosen="user" if k else "silhouette",
        silhouettes=silhouettes,
        features=names,
        profile=_profile(frame, scale.transform(x), names, labels),
        projection=_projection(scale.transform(sample), fit_rows, labels),
        labels=pd.DataFrame({"customer_id": frame["customer_id"], "cluster": labels}),
        notes=notes,
    )
    return result


def _key(scope: Scope, k: int | None) -> tuple:
    """Clusters depend on the segment table (data version, period, cut-offs), the filters, k and
    the sample they are fitted on."""
    rows = scope.snap.rows  # every row scope reads the same tables, through its own predicate
    return str(scope.ws.path), scope.table(SEGMENTS), rows, scope.filters.dims, k, settings.CLUSTER_FIT_SAMPLE


#: On the customer page, clusters are computed on the spot only below this many customers;
#: above it, a customer shows the cluster once the Segments page has computed the clusters.
LOOKUP_COMPUTE_MAX = 100_000


def lookup(scope: Scope, customer_id: str) -> tuple[int, list] | None:
    """(cluster, name parts) of one customer under automatic k, or None."""
    found = peek(run, scope)
    if found is None:
        n = scope.scalar(f"SELECT count(*) FROM {scope.table(SEGMENTS)} WHERE active")
        found = run(scope) if n and n <= LOOKUP_COMPUTE_MAX else None
    if found is None:
        return None
    hit = found.labels.loc[found.labels["customer_id"] == customer_id, "cluster"]
    return (int(hit.iloc[0]), found.name(int(hit.iloc[0]))) if len(hit) else None


def _profile(frame: pd.DataFrame, z: np.ndarray, names: list[str], labels: np.ndarray) -> pd.DataFrame:
    raw = frame.assign(cluster=labels)
    out = raw.groupby("cluster").agg(
        customers=("customer_id", "size"),
        revenue=("monetary", "sum"),
        monetary=("monetary", "mean"),
        recency_days=("log_recency", lambda s: float(np.expm1(s).median())),
        frequency=("log_frequency", lambda s: float(np.expm1(s).mean())),
        tenure_days=("tenure_days", "mean"),
    )
    for col in ("complaints", "csat"):
        if col in raw:
            out[col] = raw.groupby("cluster")[col].mean()
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    out.insert(3, "revenue_share", out["revenue"] / out["revenue"].sum() if out["revenue"].sum() else 0.0)
    centroids = pd.DataFrame(z, columns=names).groupby(labels).mean()
    out["name_parts"] = [_name(centroids.loc[c]) for c in out.index]
    return out.reset_index()


def _name(centroid: pd.Series) -> list[tuple[str, str | None]]:
    """The words of a cluster's name: its features furthest from the mean, largest first."""
    parts = []
    for feature, value in centroid.abs().sort_values(ascending=False).items():
        if value < NAME_Z or len(parts) == NAME_PARTS:
            break
        high = centroid[feature] > 0
        if feature.startswith("share_"):
            if high:
                parts.append(("channel_first", feature.removeprefix("share_")))
            continue
        word = WORDS.get(feature, (None, None))[0 if high else 1]
        if word:
            parts.append((word, None))
    return parts or [("typical", None)]


def _projection(sample: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """A 2-D principal-component view of (a sample of) the fitted customers."""
    from sklearn.decomposition import PCA

    xy = PCA(n_components=2, random_state=settings.CLUSTER_SEED).fit_transform(sample)
    step = max(1, len(sample) // PROJECTION_POINTS)
    return pd.DataFrame({"x": xy[::step, 0], "y": xy[::step, 1], "cluster": labels[rows][::step]})


def name_text(parts: list[tuple[str, str | None]], lang: str = "en") -> str:
    """A cluster's name in `lang` from its words (English for the CLI and exports)."""
    from insight import i18n

    return " · ".join(i18n.t(f"cluster.word.{w}", lang, channel=c or "") for w, c in parts)


def members(scope: Scope, clv, spec: str, attributes: tuple[str, ...] = (), k: int | None = None):
    """`segment_tables.members`, plus `cluster:N` (the members of cluster N), with each member's cluster
    where the clusters have been computed."""
    from insight.domain import segment_tables

    kind, _, value = spec.partition(":")
    if kind != "cluster":
        return segment_tables.members(scope, clv, spec, attributes)
    found = run(scope, k)
    if found is None or whole_number(value) is None or not 1 <= int(value) <= found.k:
        return None
    everyone = segment_tables.members(scope, clv, "all", attributes)
    labelled = everyone.merge(found.labels, on="customer_id", how="inner")
    return labelled[labelled["cluster"] == int(value)].reset_index(drop=True)


def target_list(
    scope: Scope, spec: str, attributes: tuple[str, ...] = (), k: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """A group's members as a campaign target list, and where it came from (data version,
    filters, period and group) for the side sheet, so the list can be traced."""
    from insight.domain import customer_value, segments

    scope = segments.with_segments(scope)
    clv = customer_value.clv_inputs(scope)
    listed = members(scope, clv, spec, attributes, k)
    if listed is None:
        return None
    trace = [
        {"filter": "ds", "values": str(scope.snap.version)},
        {"filter": "period", "values": f"{scope.period[0]} – {scope.period[1]}"},
        *[r for r in scope.filters.describe() if r["filter"] not in ("(none)", "members", "tab")],
        {"filter": "members", "values": spec},
        {"filter": "customers", "values": str(len(listed))},
    ]
    return listed, pd.DataFrame(trace)
