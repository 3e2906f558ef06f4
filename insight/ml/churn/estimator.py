"""The churn-risk estimator: a scikit-learn pipeline of a column encoder and gradient-boosted
trees, its fit, and its drivers (permutation importance on held-out customers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight import settings
from insight.ml.churn.features import Feature
from insight.ml.churn.guard import roc_auc

#: Shuffles of each feature whose lost ROC AUC is averaged.
IMPORTANCE_REPEATS = 3

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
    (on a stratified sample of `CHURN_IMPORTANCE_ROWS`), as scikit-learn's `permutation_importance`
    measures it, to the last digit. The encoder maps each column value by value, so shuffling a
    feature's encoded column is shuffling the feature: the rows are encoded once and only the trees
    score the shuffles (encoding every shuffle was most of the cost)."""
    from sklearn.model_selection import train_test_split

    names = [f.name for f in features]
    x = x[names]
    if len(x) > settings.CHURN_IMPORTANCE_ROWS:
        x, _, y, _ = train_test_split(
            x, y, train_size=settings.CHURN_IMPORTANCE_ROWS, stratify=y, random_state=settings.CHURN_SEED
        )
    matrix, columns = encoded(model, x)
    trees = model[-1]
    lost = roc_auc(y, trees.decision_function(matrix)) - shuffled_scores(trees, matrix, y)
    frame = pd.DataFrame({"feature": columns, "importance": lost.mean(axis=1), "std": lost.std(axis=1)})
    frame = frame.set_index("feature").loc[names].reset_index()  # the features' own order breaks ties
    return frame.sort_values("importance", ascending=False, ignore_index=True)


#: Shuffled copies of the rows the trees score in one call (a call costs milliseconds of checks
#: however few its rows; the copies of 5,000 rows of 25 columns take 20 MB at this bound).
BATCH_ROWS = 100_000


def shuffled_scores(trees, matrix: np.ndarray, y: np.ndarray, repeats: int = IMPORTANCE_REPEATS) -> np.ndarray:
    """The ROC AUC of the trees on `matrix` with each column shuffled in turn, `repeats` times
    (columns × repeats): the shuffles of `permutation_importance(random_state=CHURN_SEED)` (one
    seed drawn from it; each column shuffled again and again by a generator of that seed), the
    shuffled copies scored together, a few calls in all instead of one per shuffle."""
    n, width = matrix.shape
    seed = np.random.RandomState(settings.CHURN_SEED).randint(np.iinfo(np.int32).max + 1)
    shuffle, order, rows, orders = np.random.RandomState(seed), np.arange(n), np.arange(n), []
    for _ in range(repeats):
        shuffle.shuffle(order)
        rows = rows[order]  # each repeat shuffles the column as the previous one left it
        orders.append(rows)
    jobs = [(column, rows) for column in range(width) for rows in orders]
    scores: list[float] = []
    per_call = max(1, BATCH_ROWS // max(n, 1))
    for start in range(0, len(jobs), per_call):
        part = jobs[start : start + per_call]
        copies = np.repeat(matrix[np.newaxis], len(part), axis=0)
        for copy, (column, rows) in zip(copies, part, strict=True):
            copy[:, column] = matrix[rows, column]
        decisions = trees.decision_function(copies.reshape(-1, width)).reshape(len(part), n)
        scores += [roc_auc(y, decision) for decision in decisions]
    return np.array(scores).reshape(width, repeats)
