"""The churn-risk estimator: a scikit-learn pipeline of a column encoder and gradient-boosted
trees, its fit, and its drivers (permutation importance on held-out customers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight import settings
from insight.ml.churn.features import Feature

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


def pipeline(features: list[Feature]) -> Pipeline:
    """Categories as ordinal codes (the `CHURN_MAX_LEVELS` most common levels, rarer ones as one
    group; blanks and values unseen in training as missing), numbers as they are (the trees take
    missing values), then gradient-boosted trees told which columns are categories."""
    from sklearn.compose import ColumnTransformer  # lazily, as every scikit-learn import: 1 s
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    cats = [f.name for f in features if f.kind == "cat"]
    nums = [f.name for f in features if f.kind != "cat"]
    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    max_categories=settings.CHURN_MAX_LEVELS,
                ),
                cats,
            ),
            ("num", "passthrough", nums),
        ],
        verbose_feature_names_out=False,
    )
    trees = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        # The encoder writes the categories first.
        categorical_features=np.arange(len(cats)) if cats else None,
        early_stopping=True,  # on a held-back 15 % of the training rows: small data overfits fast
        validation_fraction=0.15,
        n_iter_no_change=15,
        random_state=settings.CHURN_SEED,
    )
    return Pipeline([("encode", encode), ("trees", trees)])


def fit(features: list[Feature], x: pd.DataFrame, y: np.ndarray) -> Pipeline:
    return pipeline(features).fit(x, y)


def refit(model: Pipeline, x: pd.DataFrame, y: np.ndarray) -> Pipeline:
    """The same pipeline, unfitted, fitted on other rows."""
    from sklearn.base import clone

    return clone(model).fit(x, y)


def encoded(model: Pipeline, frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """`frame` as the trees see it (a float matrix) and the names of its columns."""
    return model[:-1].transform(frame), list(model[:-1].get_feature_names_out())


def importance(model: Pipeline, x: pd.DataFrame, y: np.ndarray, features: list[Feature]) -> pd.DataFrame:
    """How much each feature drives the risk: the held-out ROC AUC lost when its values are shuffled
    (on a stratified sample of `CHURN_IMPORTANCE_ROWS`). The encoder maps each column value by
    value, so shuffling a feature's encoded column is shuffling the feature: the rows are encoded
    once and only the trees score the shuffles (encoding every shuffle was most of the cost)."""
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    names = [f.name for f in features]
    x = x[names]
    if len(x) > settings.CHURN_IMPORTANCE_ROWS:
        x, _, y, _ = train_test_split(
            x, y, train_size=settings.CHURN_IMPORTANCE_ROWS, stratify=y, random_state=settings.CHURN_SEED
        )
    matrix, columns = encoded(model, x)
    found = permutation_importance(
        model[-1], matrix, y, scoring="roc_auc", n_repeats=3, random_state=settings.CHURN_SEED, n_jobs=1
    )
    frame = pd.DataFrame({"feature": columns, "importance": found.importances_mean, "std": found.importances_std})
    frame = frame.set_index("feature").loc[names].reset_index()  # the features' own order breaks ties
    return frame.sort_values("importance", ascending=False, ignore_index=True)
