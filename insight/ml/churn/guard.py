"""Whether a churn model is worth showing: the features it may use (the leakage guard) and the
baselines it must beat on held-out data.

**Leakage guard**: a feature is refused when it names the label (churned, churn_date, …), when
it is known only after the cutoff (for example recency at the label date, which restates the
behavioural label), when it is a snapshot measure (measured at the data end, not the cutoff) in
a temporal model, when on its own it separates churners almost perfectly, or when it has almost
no values in the training data.

**Baselines**: the majority class (ROC AUC 0.5, PR AUC the prevalence) and the best one-feature
rule chosen on the training data; and the model's calibration on the held-out customers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from insight import settings
from insight.i18n import Message, msg
from insight.ml.churn.features import Feature

#: Words that name the churn label itself (in a column name, any case).
LABEL_WORDS = re.compile(r"churn|attrition|exited|流失|离网|销户", re.IGNORECASE)
#: A feature whose own AUC on the training data reaches this is the label in disguise.
LEAK_AUC = 0.99


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


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC of `score` for labels `y` (0/1, both present): what `roc_auc_score` computes (the
    ROC curve, then the area under it), without its checks of the labels, which cost more than
    the area on a few thousand rows (a model computes a hundred of them)."""
    from sklearn.metrics import auc, roc_curve  # lazily, as every scikit-learn import: 1 s

    fpr, tpr, _ = roc_curve(y, score)
    return float(auc(fpr, tpr))


def single_aucs(frame: pd.DataFrame, y: np.ndarray, features: list[Feature]) -> dict[str, float]:
    """Each feature's ROC AUC on its own (a one-feature rule) on the training data."""
    if len(np.unique(y)) < 2:
        return {}
    return {f.name: roc_auc(y, single_score(frame[f.name], y, frame[f.name], f.kind)) for f in features}


def guard_empirical(aucs: dict[str, float], frame: pd.DataFrame) -> dict[str, Message]:
    """Features that on their own separate churners almost perfectly (the label in disguise), and
    features with (almost) no values in the training data (no tickets before any cutoff, say):
    they have nothing to teach, and the model's binning cannot take a column without values."""
    refused = {
        name: msg("churn.refused.disguise", auc=f"{max(auc, 1 - auc):.3f}")
        for name, auc in aucs.items()
        if max(auc, 1 - auc) >= LEAK_AUC
    }
    few = settings.MIN_GROUP
    for name in aucs:
        if name not in refused and frame[name].notna().sum() < few:
            refused[name] = msg("churn.refused.empty", n=few)
    return refused


def single_score(train: pd.Series, y: np.ndarray, apply: pd.Series, kind: str) -> np.ndarray:
    """A one-feature rule: the training churn rate of the value's group (categories), or the
    value itself (numbers, missing as the median)."""
    if kind == "cat":
        rates = pd.Series(y).groupby(train.astype(object).fillna("—").to_numpy()).mean()
        return apply.astype(object).fillna("—").map(rates).fillna(y.mean()).to_numpy(float)
    # As floats: a whole-number column (Int64) cannot take a median such as 370.5 into its blanks.
    values = pd.to_numeric(apply, errors="coerce").astype("float64")
    return values.fillna(pd.to_numeric(train, errors="coerce").median()).fillna(0).to_numpy(float)


def evaluate(
    features: list[Feature],
    aucs: dict[str, float],
    train: tuple[pd.DataFrame, np.ndarray],
    test: tuple[pd.DataFrame, np.ndarray],
    risk: np.ndarray,
) -> dict:
    """Held-out ROC AUC and PR AUC of the model, of the majority class and of the best
    one-feature rule (chosen on the training data)."""
    from sklearn.metrics import average_precision_score

    (train_x, train_y), (test_x, test_y) = train, test
    best = max(features, key=lambda f: max(aucs[f.name], 1 - aucs[f.name]), default=None)
    sign = 1 if best is None or aucs[best.name] >= 0.5 else -1
    prevalence = float(test_y.mean())
    out = {
        "roc_auc": roc_auc(test_y, risk),
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
        rule = sign * single_score(train_x[best.name], train_y, test_x[best.name], best.kind)
        out["rule_roc_auc"] = roc_auc(test_y, rule)
        out["rule_pr_auc"] = float(average_precision_score(test_y, rule))
    return out


def calibration(y: np.ndarray, risk: np.ndarray) -> pd.DataFrame:
    """Observed churn against predicted risk in ten bins of equal size (held out)."""
    from sklearn.calibration import calibration_curve

    observed, predicted = calibration_curve(y, risk, n_bins=10, strategy="quantile")
    return pd.DataFrame({"predicted": predicted, "observed": observed})
