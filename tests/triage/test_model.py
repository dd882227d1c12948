"""Tests for beancan.triage.model: the shipped model's interface, bad inputs and its file."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from test_sentiment import BAD_INPUTS

from beancan.triage.features import MAX_CHARS
from beancan.triage.model import DEFAULT_MODEL, load_model, model_dir, read_model, write_model
from beancan.triage.sentiment import SentimentAnalyzer, get_analyzer
from beancan.triage.types import INTENTS, SENTIMENTS, Prediction


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_load_model_is_cached_and_named(model) -> None:
    assert load_model("default") is model
    assert load_model(DEFAULT_MODEL) is model
    assert model.name == "beancan-triage-3"
    assert isinstance(model, SentimentAnalyzer)
    assert get_analyzer("default") is model


def test_the_general_table_is_the_same_model_for_posts_that_are_not_care_messages(
    model, tmp_path
) -> None:
    """Two sentiment tables in one file: care (the default) and general (shared weights only,
    for listening and other posts); intent and spam are the same."""
    general = load_model("general")
    assert general is load_model("general") is load_model(f"{DEFAULT_MODEL}-general")
    assert general.name == f"{DEFAULT_MODEL}-general" and get_analyzer("general") is general
    texts = ["my order never arrived", "new phone day!", "the game is on tonight", ""]
    care, other = model.probabilities(texts), general.probabilities(texts)
    np.testing.assert_allclose(care["intent"], other["intent"])
    np.testing.assert_allclose(care["spam"], other["spam"])
    assert not np.allclose(care["sentiment"], other["sentiment"])
    # Written and read back with both tables.
    npz = write_model("t-2", model.config, model._weights, {}, tmp_path, model._general)
    again = read_model(npz)
    np.testing.assert_allclose(
        again.general().probabilities(texts)["sentiment"], other["sentiment"], atol=2e-3
    )
    assert read_model(write_model("t-1", model.config, model._weights, {}, tmp_path)).general()


def test_unknown_model_name() -> None:
    for name in ("nope", "../../etc/passwd", ""):
        with pytest.raises(ValueError, match="unknown triage model"):
            load_model(name)


def test_prediction_fields(model) -> None:
    p = model.predict("thank you so much, the agent was brilliant!")
    assert isinstance(p, Prediction)
    assert p.sentiment == "positive"
    assert p.intent == "praise"
    assert p.spam is False
    assert p.model == "beancan-triage-3"
    assert 0.5 < p.sentiment_confidence <= 1.0
    assert 0.0 <= p.intent_confidence <= 1.0
    assert p.sentiment_score == pytest.approx(
        model.score("thank you so much, the agent was brilliant!")
    )


@pytest.mark.parametrize(
    ("text", "sentiment", "intent"),
    [
        ("my order never arrived and nobody answers my emails, terrible", "negative", "complaint"),
        ("please refund my order, I want to cancel it", None, "request"),
        ("how do I change the email address on my account?", None, "question"),
        ("love the new update, great job!", "positive", "praise"),
    ],
)
def test_clear_cases(model, text, sentiment, intent) -> None:
    p = model.predict(text)
    if sentiment:
        assert p.sentiment == sentiment
    assert p.intent == intent


def test_compound_is_positive_minus_negative(model) -> None:
    texts = ["awful", "fine", "great", ""]
    probs = model.probabilities(texts)["sentiment"]
    expected = probs[:, SENTIMENTS.index("positive")] - probs[:, SENTIMENTS.index("negative")]
    assert model.score_many(texts) == pytest.approx(expected.tolist(), abs=1e-6)
    assert np.allclose(probs.sum(axis=1), 1.0)


@pytest.mark.parametrize("text", [*BAD_INPUTS.values(), None, 12345, b"\xff\xfe bytes"])
def test_bad_inputs_answer(model, text) -> None:
    p = model.predict(text)
    assert p.sentiment in SENTIMENTS and p.intent in INTENTS
    assert -1.0 <= p.sentiment_score <= 1.0
    assert math.isfinite(p.sentiment_confidence) and math.isfinite(p.intent_confidence)
    assert isinstance(model.score(text), float)


def test_object_whose_str_fails(model) -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert model.predict(Broken()) == model.predict("")


def test_batch_equals_one_by_one_and_is_deterministic(model) -> None:
    texts = [*BAD_INPUTS.values(), "great", "not great", "where is my parcel?", None] * 3
    batch = model.predict_many(texts)
    single = [model.predict(t) for t in texts]
    for a, b in zip(batch, single, strict=True):
        assert a.sentiment == b.sentiment and a.intent == b.intent and a.spam == b.spam
        assert a.sentiment_score == pytest.approx(b.sentiment_score, abs=1e-5)
    assert model.predict_many(texts) == batch
    assert model.score_many(iter(texts)) == pytest.approx(model.score_many(texts))


def test_text_is_cut(model) -> None:
    head = "x " * (MAX_CHARS // 2)
    assert model.score(head + "I hate this, awful, terrible") == model.score(head)


def test_chunks_do_not_change_answers(model) -> None:
    texts = [f"message {i}: {'great' if i % 3 else 'awful'} service" for i in range(4_500)]
    scores = model.score_many(texts)
    assert scores[2_001] == pytest.approx(model.score(texts[2_001]), abs=1e-5)
    assert len(scores) == 4_500


def test_shipped_file_reproduces_recorded_scores(model) -> None:
    """The training script recorded scores computed the training way (sparse matrix product
    with float32 weights); the shipped float16 file and numpy inference must reproduce them."""
    meta = json.loads((model_dir() / f"{DEFAULT_MODEL}.json").read_text())
    samples = meta["samples"]
    assert len(samples) >= 5
    scores = model.score_many([s["text"] for s in samples])
    assert scores == pytest.approx([s["score"] for s in samples], abs=2e-3)


def test_shipped_file_is_small_and_loads_without_training_code() -> None:
    npz = model_dir() / f"{DEFAULT_MODEL}.npz"
    assert npz.stat().st_size < 5_000_000
    code = (
        "import sys; from beancan.triage.model import load_model; m = load_model();"
        "m.predict_many(['great', 'awful']);"
        "bad = [n for n in ('sklearn', 'scipy', 'beancan.triage.training') if n in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_read_model_rejects_bad_files(tmp_path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match="cannot read triage model"):
        read_model(bad)
    good = model_dir() / f"{DEFAULT_MODEL}.npz"
    meta = json.loads(good.with_suffix(".json").read_text())
    meta["features"]["version"] = 999
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="version 999"):
        read_model(good, tmp_path / "m.json")


def test_threads_get_the_same_answers(model) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"order {i} is {'late' if i % 2 else 'great'} word{i} 😀" for i in range(3_000)]
    serial = model.score_many(texts)
    chunks = [texts[i : i + 250] for i in range(0, len(texts), 250)]
    with ThreadPoolExecutor(4) as pool:
        threaded = [s for part in pool.map(model.score_many, chunks) for s in part]
    assert threaded == pytest.approx(serial, abs=1e-6)
