"""A churn-risk model that does not cheat (scikit-learn), trained from its parts in
`insight.ml.churn`: `features` pulls the customer frames from the engine (temporal cutoffs, or
a snapshot split; a bounded, fixed sample of customers), `guard` refuses leaking features and
measures the baselines, `estimator` is the pipeline (encoder + gradient-boosted trees) and its
drivers, `lists` scores customers and ranks the at-risk list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insight import settings
from insight.cache import memo, peek
from insight.domain.churn import Definition
from insight.i18n import Message
from insight.ml.churn import estimator, features, guard, lists
from insight.ml.churn.features import Feature, Progress
from insight.ml.churn.lists import at_risk, customer_risk, reason_text, retention_list
from insight.semantic.scope import Scope

__all__ = ["Feature", "Model", "at_risk", "cached", "customer_risk", "reason_text", "retention_list", "train"]


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
    notes: list[Message] = field(default_factory=list)  # what was sampled

    def summary(self) -> dict:
        return {
            "mode": self.mode,
            "eval_cutoff": self.eval_cutoff,
            "train_cutoffs": ", ".join(str(c) for c in self.cutoffs),
            "as_of": self.as_of,
            **self.metrics,
        }


def cache_key(scope: Scope, d: Definition, extra: tuple[Feature, ...] = ()) -> tuple:
    # (the row scope too: every scope reads the same tables, through its own predicate)
    bounds = (settings.CHURN_SAMPLE_CUSTOMERS, settings.CHURN_FIT_SAMPLE)
    tables = tuple(sorted(scope.snap.tables.items()))
    return (str(scope.ws.path), tables, scope.snap.rows, scope.filters.dims, d, extra, bounds)


def cached(scope: Scope, d: Definition) -> Model | None:
    return peek(train, scope, d)


@memo(6, key=lambda scope, d, progress=None, extra=(): cache_key(scope, d, extra), heavy=True)
def train(
    scope: Scope, d: Definition, progress: Progress | None = None, extra: tuple[Feature, ...] = ()
) -> Model | None:
    """Train, evaluate and score (cached per data version, filters and definition; the model
    learnt from the frames, by their content: `learn`). `extra`: more features to offer the model
    (they pass the leakage guard like any other). None when there is too little to learn from
    (no customers, or one class only)."""
    step = progress or (lambda fraction, stage: None)
    temporal = features.is_temporal(scope, d)
    if not temporal and not (d.kind == "explicit" and scope.has("customers", "churned")):
        return None
    offered, refused = guard.guard([*features.candidate_features(scope, temporal), *extra], temporal)
    step(0.05, "features")
    if temporal:
        found = features.temporal_frames(scope, d, offered, step)
    else:
        found = features.snapshot_frames(scope, d, offered)
    if found is None or len(np.unique(found.train_y)) < 2 or len(np.unique(found.test_y)) < 2:
        return None  # (one class only: nothing to learn, nothing to keep)
    return learn(temporal, d, tuple(offered), tuple(refused.items()), found, step)


def _lesson_key(temporal: bool, d: Definition, offered: tuple, refused: tuple, found: features.Frames, step=None):
    """What a model learns from, by content (the rows, by a digest: `Frames.fingerprint`), and the
    bounds of its fit: the same rows learnt again (the same data imported anew, a filter that
    leaves the customers alone) are one key, whatever the workspace, data version or filters."""
    fit = (settings.CHURN_MAX_LEVELS, settings.CHURN_IMPORTANCE_ROWS, settings.CHURN_SEED, settings.MIN_GROUP)
    return (temporal, d, offered, refused, found.fingerprint(), fit)


@memo(6, key=_lesson_key, heavy=True, content=True)
def learn(
    temporal: bool, d: Definition, offered: tuple[Feature, ...], refused: tuple, found: features.Frames, step: Progress
) -> Model | None:
    """The model learnt from `found` (fit, evaluate, drivers, scores): a function of its
    arguments alone, so kept by their content."""
    refused = dict(refused)
    aucs = guard.single_aucs(found.train_x, found.train_y, offered)
    refused.update(guard.guard_empirical(aucs, found.train_x))
    kept = [f for f in offered if f.name not in refused]
    if not kept:
        return None
    step(0.45, "fit")
    model = estimator.fit(kept, found.train_x, found.train_y)
    step(0.65, "evaluate")
    risk = model.predict_proba(found.test_x)[:, 1]
    metrics = guard.evaluate(kept, aucs, (found.train_x, found.train_y), (found.test_x, found.test_y), risk)
    step(0.75, "importance")
    importance = estimator.importance(model, found.test_x, found.test_y, kept)
    step(0.85, "score")
    if temporal:  # refit on every cutoff, the latest included, to score today's customers
        model = estimator.refit(
            model, pd.concat([found.train_x, found.test_x]), np.concatenate([found.train_y, found.test_y])
        )
    result = Model(
        "temporal" if temporal else "snapshot",
        d,
        found.cutoffs,
        found.eval_cutoff,
        [f.name for f in kept],
        refused,
        metrics,
        guard.calibration(found.test_y, risk),
        importance,
        lists.score(model, found.score, importance, kept),
        found.as_of,
        found.notes,
    )
    step(1.0, "done")
    return result
