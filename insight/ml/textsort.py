"""Free text that sorts itself (scikit-learn).

- **Where labels exist**: tickets with `text` and a category train a classifier (TF-IDF over
  character 1–3-grams, so Chinese needs no word segmenter, and a linear model). It is scored on
  held-out labelled tickets (accuracy and macro-F1 against the majority class) and suggests a
  category, with a confidence, for tickets without one (or "other"). Accepted suggestions go
  into a new `suggested_category` column; the original category is kept.
- **Where no labels exist**: the texts are clustered (k-means on TF-IDF of words, and of
  character pairs for Chinese), each cluster shown with its top terms and examples; the names the
  user gives the clusters become the tickets' categories.

Both models are scikit-learn pipelines fitted on a bounded, seeded sample (`TEXT_FIT_SAMPLE`
labelled texts, `TEXT_CLUSTER_SAMPLE` texts to cluster); every ticket is then scored or
assigned, and the page says when a model sampled.

Both work on the latest tickets version, over all its tickets (the global filters do not apply:
this is a tool on the data, not a view of it). Writing is a new version, all or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight import settings
from insight.cache import memo
from insight.db import dialect, facts
from insight.db.workspace import Snapshot, Workspace
from insight.errors import InsightError
from insight.i18n import Message, msg

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

#: Category values that mean "not categorised".
UNLABELLED = {"", "other", "others", "misc", "unknown", "n/a", "其他", "其它", "未分类"}
MIN_PER_CLASS = 5  # a category needs this many labelled texts to be learned
TERMS = 8  # top terms shown per cluster
LSA_DIMS = 50  # dimensions texts are clustered in
DEFAULT_CLUSTERS = 8
EXAMPLES = 3
_WORD = re.compile(r"[a-z][a-z0-9']+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def classifier() -> Pipeline:
    """TF-IDF over character 1–3-grams within word boundaries, and a linear model with
    probabilities (logistic loss, trained by SGD: fast on 100k texts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # lazily, as every scikit-learn import: 1 s
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline

    vectorise = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=300_000
    )
    classify = SGDClassifier(
        loss="log_loss", alpha=2e-5, max_iter=30, tol=1e-4, class_weight="balanced", random_state=settings.TEXT_SEED
    )
    return Pipeline([("vectorise", vectorise), ("classify", classify)])


def text_clusterer(k: int) -> Pipeline:
    """TF-IDF of readable terms, an LSA projection (normalised) and k-means: on raw sparse TF-IDF
    k-means lumps most texts into one cluster; on a 50-dimensional projection the clusters
    follow the topics."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import Normalizer

    return Pipeline(
        [
            ("vectorise", TfidfVectorizer(analyzer=terms, min_df=2, sublinear_tf=True)),
            ("project", make_pipeline(TruncatedSVD(LSA_DIMS, random_state=settings.CLUSTER_SEED), Normalizer())),
            ("cluster", KMeans(n_clusters=k, random_state=settings.CLUSTER_SEED, n_init=10)),
        ]
    )


def _sampled(frame: pd.DataFrame, bound: int, key: str) -> tuple[pd.DataFrame, list[Message]]:
    """At most `bound` rows of `frame` (a seeded sample), and the note saying so."""
    if len(frame) <= bound:
        return frame, []
    return (
        frame.sample(bound, random_state=settings.TEXT_SEED),
        [msg(key, sample=f"{bound:,}", total=f"{len(frame):,}")],
    )


def terms(text: str) -> list[str]:
    """Readable terms: English words (no stop words) and Chinese character pairs."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    low = text.lower()
    out = [w for w in _WORD.findall(low) if w not in ENGLISH_STOP_WORDS]
    for run in _CJK.findall(low):
        out += [run[i : i + 2] for i in range(len(run) - 1)] or [run]
    return out


@dataclass
class Suggestions:
    accuracy: float
    macro_f1: float
    baseline: float  # accuracy of always guessing the most common category
    train: int
    test: int
    classes: list[str]
    suggested: pd.DataFrame  # _row, ticket_id?, text, category, suggested_category, confidence
    notes: list[Message] = field(default_factory=list)  # what was sampled

    def summary(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "baseline_accuracy": self.baseline,
            "train": self.train,
            "test": self.test,
            "categories": len(self.classes),
            "suggested": len(self.suggested),
        }


def train_classifier(texts: pd.Series, labels: pd.Series) -> tuple[object, dict]:
    """Fit on 80 % (stratified), score on the other 20 %, then refit on all."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    counts = labels.value_counts()
    keep = labels.isin(counts[counts >= MIN_PER_CLASS].index)
    texts, labels = texts[keep], labels[keep]
    if labels.nunique() < 2:
        raise InsightError(msg("text.few_labelled"), hint=msg("text.few_labelled.hint"))
    x_train, x_test, y_train, y_test = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=settings.TEXT_SEED
    )
    model = classifier().fit(x_train, y_train)
    guess = model.predict(x_test)
    scores = {
        "accuracy": float(accuracy_score(y_test, guess)),
        "macro_f1": float(f1_score(y_test, guess, average="macro")),
        "baseline": float(y_test.value_counts(normalize=True).iloc[0]),
        "train": len(y_train),
        "test": len(y_test),
    }
    return classifier().fit(texts, labels), scores


def _raw(ws: Workspace, snap: Snapshot | None = None) -> str:
    snap = snap or ws.snapshot()
    if not snap.has("tickets") or "text" not in ws.columns("tickets", snap):
        raise InsightError(msg("text.needs_column"), hint=msg("text.needs_column.hint"))
    return snap["tickets"]


def _texts(ws: Workspace, snap: Snapshot | None = None) -> pd.DataFrame:
    """The tickets' texts: of the latest version, or of `snap` (a user's rows: see Scope)."""
    table = _raw(ws, snap)
    cols = ws.columns("tickets", snap)
    picks = [f"{dialect.row_id()} AS _row", *(["ticket_id"] if "ticket_id" in cols else []), "text"]
    picks.append("CAST(category AS VARCHAR) AS category" if "category" in cols else "NULL AS category")
    frame = ws.query(
        f"SELECT {', '.join(picks)} FROM {table} t WHERE text IS NOT NULL AND trim(text) <> ''", cap=10_000_000
    )
    frame["labelled"] = ~frame["category"].fillna("").str.strip().str.lower().isin(UNLABELLED)
    return frame


def _key(ws: Workspace, snap: Snapshot | None = None) -> tuple:
    snap = snap or ws.snapshot()
    return (
        str(ws.path),
        snap.tables.get("tickets"),
        snap.rows,
        settings.TEXT_FIT_SAMPLE,
    )  # every scope reads the same table


@memo(4, key=_key, heavy=True)
def suggest(ws: Workspace, snap: Snapshot | None = None) -> Suggestions | None:
    """Category suggestions for the unlabelled tickets (cached per tickets version and row
    scope); None when there are too few labels to learn from."""
    frame = _texts(ws, snap)
    known, notes = _sampled(frame[frame["labelled"]], settings.TEXT_FIT_SAMPLE, "text.sampled")
    if known["category"].value_counts().ge(MIN_PER_CLASS).sum() < 2:
        return None
    model, scores = train_classifier(known["text"], known["category"])
    todo = frame[~frame["labelled"]].copy()
    if len(todo):
        proba = model.predict_proba(todo["text"])
        todo["suggested_category"] = np.asarray(model.classes_)[proba.argmax(axis=1)]
        todo["confidence"] = proba.max(axis=1)
    else:
        todo = todo.assign(suggested_category=pd.Series(dtype=str), confidence=pd.Series(dtype=float))
    found = Suggestions(
        scores["accuracy"],
        scores["macro_f1"],
        scores["baseline"],
        scores["train"],
        scores["test"],
        sorted(model.classes_),
        todo.drop(columns="labelled").sort_values("confidence", ascending=False).reset_index(drop=True),
        notes,
    )
    return found


def _publish(ws: Workspace, assigned: pd.DataFrame, note: str, fill_category: bool) -> int:
    """A new tickets version with `suggested_category` (by `_row`); with `fill_category`, the
    assigned tickets' category becomes the assigned one too."""
    table = _raw(ws)
    cols = ws.columns("tickets")
    dropped = ["suggested_category"] if "suggested_category" in cols else []
    replaced = {}
    extra = ", s.suggested_category"
    if fill_category and "category" in cols:
        replaced["category"] = "coalesce(s.suggested_category, CAST(t.category AS VARCHAR))"
    elif fill_category:
        extra += ", s.suggested_category AS category"
    with ws.cursor() as cur, ws.writer(cur):
        cur.register("_assigned", assigned[["_row", "suggested_category"]])
        try:
            star, row = dialect.star_except("t", dropped, replaced), dialect.row_id("t")
            select = f"SELECT {star}{extra} FROM {table} t LEFT JOIN _assigned s ON s._row = {row} ORDER BY {row}"
            version = ws.publish(cur, "tickets", select, op="replace", source_file=note)
            facts.build(ws, cur, {**ws.snapshot().tables, "tickets": f"tickets__v{version}"})
        finally:
            cur.unregister("_assigned")
    return version


def accept(ws: Workspace, min_confidence: float = 0.0) -> int:
    """Write the suggestions at or above `min_confidence` into `suggested_category` (a new
    tickets version; the original category is kept). Returns the new version."""
    found = suggest(ws)
    if found is None:
        raise InsightError(msg("textsort.none_to_accept"), hint=msg("textsort.none_to_accept.hint"))
    chosen = found.suggested[found.suggested["confidence"] >= min_confidence]
    return _publish(ws, chosen, f"suggested categories (confidence ≥ {min_confidence:.2f})", fill_category=False)


@dataclass
class TextClusters:
    k: int
    clusters: pd.DataFrame  # cluster, tickets, terms, examples
    labels: pd.DataFrame  # _row, cluster
    notes: list[Message] = field(default_factory=list)  # what was sampled


def cluster(ws: Workspace, k: int = DEFAULT_CLUSTERS, snap: Snapshot | None = None) -> TextClusters:
    """k-means on the unlabelled tickets' texts (all texts when none is labelled)."""
    frame = _texts(ws, snap)
    todo = frame[~frame["labelled"]]
    if len(todo) < k:
        raise InsightError(msg("text.few_texts"), hint=msg("text.few_texts.hint", k=k))
    fit, notes = _sampled(todo, settings.TEXT_CLUSTER_SAMPLE, "text.clusters.sampled")
    model = text_clusterer(k)
    vectors = model["vectorise"].fit_transform(fit["text"])
    # A projection has fewer dimensions than the terms it projects (few texts have few terms).
    model.set_params(project__truncatedsvd__n_components=min(LSA_DIMS, vectors.shape[1] - 1))
    model[1:].fit(vectors)  # the same steps: `model` is now fitted
    labels = model.predict(todo["text"])
    matrix = model["vectorise"].transform(todo["text"])
    vocab = np.asarray(model["vectorise"].get_feature_names_out())
    rows = []
    for c in range(k):
        members = todo[labels == c]
        weights = np.asarray(matrix[labels == c].mean(axis=0)).ravel()
        top = vocab[np.argsort(-weights)[:TERMS]]
        rows.append(
            {
                "cluster": c,
                "tickets": len(members),
                "terms": " · ".join(top),
                "examples": list(members["text"].head(EXAMPLES)),
            }
        )
    found = pd.DataFrame(rows).sort_values("tickets", ascending=False, ignore_index=True)
    return TextClusters(k, found, pd.DataFrame({"_row": todo["_row"].to_numpy(), "cluster": labels}), notes)


def name_clusters(ws: Workspace, found: TextClusters, names: dict[int, str]) -> int:
    """The names the user gave the clusters become the categories of their tickets (a new
    tickets version; `suggested_category` records them too). Unnamed clusters stay as they are."""
    named = {int(c): n.strip() for c, n in names.items() if n and n.strip()}
    if not named:
        raise InsightError(msg("textsort.none_named"), hint=msg("textsort.none_named.hint"))
    assigned = found.labels[found.labels["cluster"].isin(named)].copy()
    assigned["suggested_category"] = assigned["cluster"].map(named)
    return _publish(ws, assigned, "categories named from text clusters", fill_category=True)
