"""The churn model's drivers: the shuffled copies scored together give scikit-learn's own
`permutation_importance`, to the last digit, however the copies are batched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance

from insight import settings
from insight.ml.churn import estimator
from insight.ml.churn.features import Feature

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
