"""Free text that sorts itself: the classifier on English and Chinese complaints it has not seen
phrased that way, suggestions accepted into a new column, and clusters named into categories."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import settings
from insight.ml import textsort
from insight.views.views import page_view
from tests.text_fixtures import corpus


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_classifier_beats_the_majority_class_on_held_out_phrasings(lang):
    texts, labels = corpus(80, "train", seed=1, langs=(lang,))
    model, scores = textsort.train_classifier(pd.Series(texts), pd.Series(labels))
    test_texts, test_labels = corpus(30, "test", seed=2, langs=(lang,))
    guess = model.predict(test_texts)
    accuracy = (pd.Series(guess) == pd.Series(test_labels)).mean()
    majority = pd.Series(test_labels).value_counts(normalize=True).iloc[0]
    assert majority == pytest.approx(0.2)
    assert accuracy >= 0.75 and accuracy > majority + 0.5
    assert scores["accuracy"] > scores["baseline"] + 0.5 and scores["macro_f1"] > 0.7


def tickets_frame(labelled: int, unlabelled: int) -> tuple[pd.DataFrame, list[str]]:
    texts, labels = corpus(labelled, "train", seed=3)
    todo, truth = corpus(unlabelled, "test", seed=4)
    categories = labels + [None if i % 2 else "other" for i in range(len(todo))]
    frame = pd.DataFrame(
        {
            "ticket_id": [f"T{i:05d}" for i in range(len(texts) + len(todo))],
            "created_at": pd.Timestamp("2026-01-05 09:00") + pd.to_timedelta(range(len(texts) + len(todo)), unit="h"),
            "category": categories,
            "channel": "App",
            "text": texts + todo,
        }
    )
    return frame, truth


def test_suggestions_are_accepted_into_a_new_column_keeping_the_original(ws):
    frame, truth = tickets_frame(40, 8)
    ws.publish_frames({"tickets": frame}, "fixture")
    found = textsort.suggest(ws)
    assert found.accuracy > found.baseline + 0.5
    todo = frame[frame["category"].isna() | (frame["category"] == "other")]
    assert set(found.suggested["ticket_id"]) == set(todo["ticket_id"])
    right = dict(zip(todo["ticket_id"], truth, strict=True))
    hits = (found.suggested["suggested_category"] == found.suggested["ticket_id"].map(right)).mean()
    assert hits >= 0.75
    version = textsort.accept(ws)
    after = ws.query("SELECT * FROM tickets ORDER BY ticket_id")
    assert ws.version() == version and "suggested_category" in after
    assert after["category"].tolist() == frame.sort_values("ticket_id")["category"].tolist()  # originals kept
    suggested = after.set_index("ticket_id")["suggested_category"]
    assert suggested[todo["ticket_id"]].notna().all() and suggested.drop(todo["ticket_id"]).isna().all()


def test_clusters_without_labels_and_their_names_become_categories(ws):
    texts, labels = corpus(40, "train", seed=5, categories=("billing", "network", "delivery"))
    frame = pd.DataFrame(
        {
            "ticket_id": [f"U{i:05d}" for i in range(len(texts))],
            "created_at": pd.Timestamp("2026-02-01"),
            "text": texts,
        }
    )
    ws.publish_frames({"tickets": frame}, "fixture")
    # Three topics in two languages that share no terms: more clusters than topics, several of
    # which the user gives the same name.
    found = textsort.cluster(ws, k=9)
    truth = pd.Series(labels, index=frame.index)
    labelled = found.labels.assign(truth=truth.to_numpy())
    purity = labelled.groupby("cluster")["truth"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(labelled)
    assert purity >= 0.75
    majority = labelled.groupby("cluster")["truth"].agg(lambda s: s.value_counts().index[0])
    billing = majority[majority == "billing"].index
    terms = " ".join(found.clusters.set_index("cluster").loc[billing, "terms"])
    assert any(word in terms for word in ("bill", "charge", "invoice", "扣费", "账单", "费用"))
    textsort.name_clusters(ws, found, {int(c): name.title() for c, name in majority.items()})
    after = ws.query("SELECT ticket_id, category FROM tickets ORDER BY ticket_id")
    named = after["category"].to_numpy()
    assert (named == pd.Series(labels).str.title().to_numpy()).mean() == pytest.approx(purity)


def test_text_models_fit_on_a_bounded_sample_and_say_so(ws, monkeypatch):
    frame, _ = tickets_frame(40, 8)
    ws.publish_frames({"tickets": frame}, "fixture")
    labelled = frame["category"].notna() & (frame["category"] != "other")
    monkeypatch.setattr(settings, "TEXT_FIT_SAMPLE", 150)
    found = textsort.suggest(ws)
    assert found.train + found.test == 150
    assert len(found.suggested) == (~labelled).sum()  # every unlabelled ticket still gets a suggestion
    assert [(n.key, dict(n.values)) for n in found.notes] == [
        ("text.sampled", {"sample": "150", "total": str(labelled.sum())})
    ]
    texts, labels = corpus(40, "train", seed=5, categories=("billing", "network", "delivery"))
    ws.publish_frames({"tickets": pd.DataFrame({"created_at": pd.Timestamp("2026-02-01"), "text": texts})}, "fixture")
    monkeypatch.setattr(settings, "TEXT_CLUSTER_SAMPLE", len(texts) * 3 // 4)
    grouped = textsort.cluster(ws, k=9)
    assert len(grouped.labels) == len(texts) and grouped.clusters["tickets"].sum() == len(texts)
    assert grouped.notes[0].key == "text.clusters.sampled"
    assert dict(grouped.notes[0].values) == {"sample": str(len(texts) * 3 // 4), "total": str(len(texts))}
    truth = pd.Series(labels)
    purity = truth.groupby(grouped.labels["cluster"].to_numpy()).agg(lambda s: s.value_counts().iloc[0]).sum()
    assert purity / len(texts) >= 0.75
    view = page_view(ws, "complaints?tab=text&k=9")
    assert any(n.key == "text.clusters.sampled" for n in view.notes)
