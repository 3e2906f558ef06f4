"""The churn model's drivers: the shuffled copies scored together give scikit-learn's own
`permutation_importance`, to the last digit, however the copies are batched. The model is kept by
the content of the rows it learns from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance

from insight import cache, settings
from insight.domain import churn
from insight.ml import churn_model
from insight.ml.churn import estimator, guard
from insight.ml.churn.features import Feature
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope

FEATURES = [
    Feature("plan", "cat", "static", "customers"),
    Feature("recency_days", "num"),
    Feature("orders_90d", "num"),
    Feature("unused", "num"),
]


def frame(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Churn driven by recency and the plan, a little by orders, not at all by `unused`."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro", None], rows),
            "recency_days": rng.integers(0, 400, rows).astype(float),
            "orders_90d": rng.poisson(2, rows).astype(float),
            "unused": np.zeros(rows),
        }
    )
    x.loc[rng.random(rows) < 0.1, "recency_days"] = np.nan  # the trees take missing values
    odds = x["recency_days"].fillna(200) / 100 + x["plan"].eq("basic") - 0.3 * x["orders_90d"] - 2
    return x, (rng.random(rows) < 1 / (1 + np.exp(-odds))).astype(int)


@pytest.mark.parametrize(("rows", "batch"), [(300, estimator.BATCH_ROWS), (300, 700), (900, 1)])
def test_importance_is_permutation_importance(rows, batch, monkeypatch):
    """Against `sklearn.inspection.permutation_importance` on the encoded rows (ROC AUC, the
    same repeats and seed): equal means and spreads, in batches of every size (one shuffle a
    call, a few a call, all in one)."""
    x, y = frame(rows, seed=rows)
    model = estimator.fit(FEATURES, x, y)
    held_x, held_y = frame(rows, seed=rows + 1)
    monkeypatch.setattr(estimator, "BATCH_ROWS", batch)
    got = estimator.importance(model, held_x, held_y, FEATURES)

    matrix, columns = estimator.encoded(model, held_x[[f.name for f in FEATURES]])
    ref = permutation_importance(
        model[-1],
        matrix,
        held_y,
        scoring="roc_auc",
        n_repeats=estimator.IMPORTANCE_REPEATS,
        random_state=settings.CHURN_SEED,
        n_jobs=1,
    )
    want = pd.DataFrame({"feature": columns, "importance": ref.importances_mean, "std": ref.importances_std})
    want = want.set_index("feature").loc[got["feature"]].reset_index()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.loc[got["feature"] == "unused", "importance"].item() == 0  # never split on
    assert got["feature"].iloc[0] == "recency_days"


def risk_model(ws, query: str = ""):
    scope = Scope.open(ws, Filters.from_query(query)[0])
    return churn_model.train(scope, churn.definition(scope)[0])


@pytest.mark.xdist_group("shape-demo")
def test_the_same_rows_learn_one_model(shape_ws):
    """The model is kept by what it learns from: the same customers' rows in another workspace (the
    demo without its control group: only contacts differ, which the model does not read), or under
    a filter the tables cannot take, reuse it; other rows learn their own. A model learnt anew
    from the same rows is the same model."""
    demo, twin, orders = shape_ws("demo"), shape_ws("no_control_group"), shape_ws("orders_only")
    churn_model.learn.cache_clear()
    first = risk_model(demo)
    assert churn_model.learn.cache_info().misses == 1
    assert risk_model(twin) is first  # another workspace, the same rows: no second fit
    assert risk_model(demo, "region=West") is None  # the West's few customers: one class, nothing kept
    alone = risk_model(orders)  # other rows: a model of their own
    assert alone is not None and alone is not first
    assert risk_model(orders, "segment=SMB") is alone  # no customers table: the segment cannot apply
    assert churn_model.learn.cache_info().misses == 2

    churn_model.learn.cache_clear()
    cache.clear()
    again = risk_model(twin)
    assert again is not first
    assert again.metrics == first.metrics and again.features == first.features
    pd.testing.assert_frame_equal(again.importance, first.importance, check_exact=True)
    pd.testing.assert_frame_equal(again.scores, first.scores, check_exact=True)


@pytest.mark.parametrize("rows", [20, 300, 5_000])
def test_roc_auc_is_roc_auc_score(rows):
    """The model's ROC AUC is scikit-learn's `roc_auc_score`, to the last digit (scores with ties,
    whole numbers such as a count feature, and floats)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(rows)
    y = np.r_[0, 1, rng.integers(0, 2, rows - 2)]
    for score in (rng.integers(0, 5, rows), rng.random(rows), rng.random(rows).round(1)):
        assert guard.roc_auc(y, score) == roc_auc_score(y, score)
