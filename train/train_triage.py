"""Rebuild the shipped triage model: `make train` (or `.venv/bin/python train/train_triage.py`).

Reads TweetEval val+test from ../shared/data/tweeteval_sentiment, the customer messages of
../shared/data/twcs_sample.csv and their labels in train/labels/labels_*.csv; prints the
annotators' agreement and the held-out measures; writes
src/beancan/triage/models/<name>.npz and .json. `--cv` adds the 5-fold cross-validation of the
sentiment head on TweetEval (about 10 minutes: each fold's model also picks its intercept offsets
by an inner 5-fold cross-validation). See train/README.md for the data choices.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from beancan.triage.model import DEFAULT_MODEL, model_dir, read_model, write_model
from beancan.triage.sentiment import VaderAnalyzer, label
from beancan.triage.training import (
    Recipe,
    classification_metrics,
    design_matrix,
    fit_model,
    load_care_labels,
    load_tweeteval,
)
from beancan.triage.types import INTENTS, SENTIMENTS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SAMPLES = (
    "thank you so much, the agent was brilliant!",
    "flight 1704 still at the gate, any update?",
    "my order never arrived and nobody answers",
    "how do I change the email on my account?",
    "please refund order 12345",
    "",
    "😡😡😡",
    "it's not bad at all",
)


def cross_validate(recipe: Recipe, texts, y, care_train, folds: int = 5) -> dict:
    """Sentiment head's general table, k-fold over TweetEval (care training messages added to
    every fold)."""
    from sklearn.model_selection import StratifiedKFold

    predicted = np.zeros(len(y), dtype=np.int64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for fold, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
        model = fit_model(recipe, [texts[i] for i in train], y[train], care_train).general()
        p = model.probabilities([texts[i] for i in test])["sentiment"]
        predicted[test] = p.argmax(axis=1)
        print(f"  fold {fold + 1}/{folds} done", file=sys.stderr)
    return classification_metrics(y, predicted, len(SENTIMENTS))


def main(argv: list[str] | None = None) -> int:
    """Train, report and write the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=model_dir())
    parser.add_argument("--labels", type=Path, default=ROOT / "train" / "labels")
    parser.add_argument("--cv", action="store_true", help="also 5-fold CV on TweetEval")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    recipe = Recipe()

    texts, y = load_tweeteval(DATA / "tweeteval_sentiment")
    care = load_care_labels(args.labels, DATA / "twcs_sample.csv")
    care_train, care_test = care.split()
    print(f"TweetEval val+test: {len(texts):,} tweets")
    print(
        f"care labels: {len(care.labels):,} messages from {care.files} "
        f"({len(care_train):,} training, {len(care_test):,} held out by customer); "
        f"{len(care.rejected)} rows rejected"
    )
    for line in care.rejected[:10]:
        print(f"  rejected {line}")
    kappa = ", ".join(f"{k} {v:.3f}" for k, v in care.kappa.items())
    print(f"annotator agreement on {care.overlap} messages labelled by both: Cohen's kappa {kappa}")

    if args.cv:
        cv = cross_validate(recipe, texts, y, care_train)
        print(
            "sentiment 5-fold CV on TweetEval (general table): "
            f"macro-recall {cv['macro_recall']:.4f}, "
            f"macro-F1 {cv['macro_f1']:.4f}, accuracy {cv['accuracy']:.4f}"
        )

    # Held-out care measures, from a model trained without the held-out customers.
    model = fit_model(recipe, texts, y, care_train, name=args.name)
    held = held_out_report(model, care_test)
    offsets = model.meta.get("general_offsets")
    if offsets:
        shown = ", ".join(f"{k} {v:+.2f}" for k, v in offsets.items())
        print(f"general table intercept offsets: {shown}")

    meta = {
        "trained_on": {
            "tweeteval": "val+test, all 14,284 tweets",
            "care_messages": len(care_train),
            "care_held_out": len(care_test),
        },
        "recipe": {
            "sentiment_c": recipe.sentiment_c,
            "care_sentiment_weight": recipe.care_sentiment_weight,
            "domain_copies": recipe.domain_copies,
            "care_copy_scale": recipe.care_copy_scale,
            "general_offset_folds": recipe.general_offset_folds,
            "intent_c": recipe.intent_c,
            "spam_c": recipe.spam_c,
        },
        # Added to the general table's intercept row (already in its weights).
        "general_offsets": model.meta.get("general_offsets"),
        "annotators": {"overlap": care.overlap, "kappa": care.kappa},
        "held_out": held,
        "samples": _samples(model),
    }
    npz = write_model(args.name, recipe.features, model._weights, meta, args.out, model._general)
    shipped = read_model(npz)
    drift = max(
        abs(a - b) for a, b in zip(shipped.score_many(SAMPLES), _scores(model), strict=True)
    )
    print(f"wrote {npz} ({npz.stat().st_size / 1e6:.2f} MB); float16 score drift {drift:.4f}")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


def _scores(model) -> list[float]:
    """Compound scores of the sample texts computed the training way: sparse matrix product."""
    from beancan.triage.features import featurize
    from beancan.triage.model import softmax

    x = design_matrix(featurize(SAMPLES, model.config), model.config.n_features)
    p = softmax(np.asarray(x @ model._weights[:, :3].astype(np.float64)))
    return (p[:, 2] - p[:, 0]).tolist()


def _samples(model) -> list[dict]:
    """Sample texts with their scores, for the test that the shipped file reproduces them."""
    return [{"text": t, "score": round(s, 4)} for t, s in zip(SAMPLES, _scores(model), strict=True)]


def held_out_report(model, care_test) -> dict:
    """Intent and spam beside the majority class, sentiment beside VADER, on held-out care."""
    p = model.probabilities([c.text for c in care_test])
    gold_intent = [INTENTS.index(c.intent) for c in care_test]
    gold_sent = [SENTIMENTS.index(c.sentiment) for c in care_test]
    majority = max(set(gold_intent), key=gold_intent.count)
    intent = classification_metrics(gold_intent, p["intent"].argmax(axis=1), len(INTENTS))
    intent_majority = classification_metrics(gold_intent, [majority] * len(gold_intent), 6)
    sentiment = classification_metrics(gold_sent, p["sentiment"].argmax(axis=1), 3)
    vader = VaderAnalyzer()
    vader_pred = [SENTIMENTS.index(label(s)) for s in vader.score_many([c.text for c in care_test])]
    sentiment_vader = classification_metrics(gold_sent, vader_pred, 3)
    spam_gold = np.array([c.spam for c in care_test])
    spam_pred = p["spam"] >= 0.5
    tp = int((spam_gold & spam_pred).sum())
    spam = {
        "precision": tp / max(int(spam_pred.sum()), 1),
        "recall": tp / max(int(spam_gold.sum()), 1),
        "n_spam": int(spam_gold.sum()),
    }
    print(f"held-out care messages: {len(care_test)}")
    print(
        f"  intent macro-F1 {intent['macro_f1']:.3f} (accuracy {intent['accuracy']:.3f}); "
        f"majority class '{INTENTS[majority]}' macro-F1 {intent_majority['macro_f1']:.3f} "
        f"(accuracy {intent_majority['accuracy']:.3f})"
    )
    print(
        f"  sentiment accuracy {sentiment['accuracy']:.3f}, macro-recall "
        f"{sentiment['macro_recall']:.3f}; VADER accuracy {sentiment_vader['accuracy']:.3f}, "
        f"macro-recall {sentiment_vader['macro_recall']:.3f}"
    )
    print(
        f"  spam precision {spam['precision']:.3f}, recall {spam['recall']:.3f} "
        f"({spam['n_spam']} spam messages)"
    )
    return {
        "intent": intent,
        "intent_majority": intent_majority,
        "sentiment": sentiment,
        "sentiment_vader": sentiment_vader,
        "spam": spam,
    }


if __name__ == "__main__":
    sys.exit(main())
