"""Tests for beancan.triage.training and features: training and inference see the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beancan.triage.features import FeatureConfig, featurize, logits
from beancan.triage.training import (
    best_offsets,
    cohen_kappa,
    design_matrix,
    fit_softmax,
    load_care_labels,
    stratified_folds,
)

TEXTS = [
    "my order never arrived!!! not happy",
    "thanks @AmazonHelp 😀 https://t.co/x",
    "",
    "Привет 你好 \x00 control",
    "isn't bad at all, sooooo good",
    "where is order 12345?",
] * 5


def test_inference_equals_the_training_matrix_product() -> None:
    config = FeatureConfig(n_buckets=1 << 12)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(config.n_features, 5)).astype(np.float32)
    features = featurize(TEXTS, config)
    x = design_matrix(features, config.n_features)
    assert np.allclose(logits(features, weights), x @ weights.astype(np.float64), atol=1e-4)
    # One text at a time gives the same features as the batch.
    for i, text in enumerate(TEXTS[:6]):
        one = design_matrix(featurize([text], config), config.n_features)
        assert abs(one - x[i]).max() < 1e-6


def test_fit_softmax_matches_scikit_learn() -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(1)
    words = "late refund thanks great awful where order app crash love".split()
    texts = [" ".join(rng.choice(words, size=5)) for _ in range(300)]
    y = np.array([(("awful" in t) + 2 * ("love" in t)) % 3 for t in texts])
    config = FeatureConfig(n_buckets=1 << 10, chars=False)
    x = design_matrix(featurize(texts, config), config.n_features)
    ours = fit_softmax(x, y, 3, 1.0, 500)
    theirs = sklearn.LogisticRegression(C=1.0, fit_intercept=False, class_weight="balanced")
    theirs.fit(x, y)
    agree = ((x @ ours).argmax(1) == theirs.predict(x)).mean()
    assert agree >= 0.99
    assert np.allclose(ours.T, theirs.coef_, atol=0.05)


def test_cohen_kappa() -> None:
    assert cohen_kappa("aabb", "aabb") == 1.0
    assert cohen_kappa("abab", "aabb") == 0.0
    assert cohen_kappa([], []) != cohen_kappa([], [])  # nan


def test_care_labels_reject_bad_rows(tmp_path: Path) -> None:
    twcs = tmp_path / "twcs.csv"
    twcs.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,101,True,x,my parcel is late,,\n"
        "2,brand,False,x,sorry,,1\n"
        "3,102,True,x,thanks!,,\n"
    )
    (tmp_path / "labels_A.csv").write_text(
        "tweet_id,intent,sentiment,spam\n1,complaint,negative,0\n2,other,neutral,0\n"
        "3,praise,happy,0\n3,praise,positive,\n"
    )
    (tmp_path / "labels_B.csv").write_text(
        "tweet_id,intent,sentiment,spam\n1,complaint,negative,0\n3,praise,positive,0\n"
    )
    care = load_care_labels(tmp_path, twcs)
    assert [c.tweet_id for c in care.labels] == ["1", "3"]
    assert care.overlap == 1 and care.kappa["intent"] != care.kappa["intent"]  # one item: nan
    assert len(care.rejected) == 3
    assert care.rejected[0].startswith("labels_A.csv:3: tweet_id '2' is no customer tweet")


def test_stratified_folds_spread_every_class() -> None:
    y = np.array([0] * 10 + [1] * 20 + [2] * 5)
    fold = stratified_folds(y, 5)
    for cls, size in ((0, 10), (1, 20), (2, 5)):
        assert np.bincount(fold[y == cls], minlength=5).tolist() == [size // 5] * 5
    assert np.array_equal(fold, stratified_folds(y, 5))  # fixed seed


def test_best_offsets_shift_toward_the_under_predicted_classes() -> None:
    # Logits that favour neutral by 0.3: offsets of about +0.3 on negative and positive undo it.
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, size=3000)
    z = rng.normal(size=(3000, 3)) * 0.5
    z[np.arange(3000), gold] += 1.0
    z[:, 1] += 0.3
    b = best_offsets(z, gold)
    assert b[1] == 0
    assert 0.1 <= b[0] <= 0.5 and 0.1 <= b[2] <= 0.5
    # Already calibrated: no offsets beat argmax by much, and ties prefer the smallest.
    assert best_offsets(np.eye(3)[gold], gold).tolist() == [0.0, 0.0, 0.0]
