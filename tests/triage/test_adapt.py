"""Tests for beancan.triage.adapt: corrections, refitting on a real shift, the stored format."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_sentiment import BAD_INPUTS

from beancan.triage.adapt import (
    AdaptedModel,
    Correction,
    evaluate,
    fit_adapted,
    refit,
    split_corrections,
)
from beancan.triage.model import TriageModel, load_model
from beancan.triage.sentiment import SentimentAnalyzer
from beancan.triage.training import load_care_labels

ROOT = Path(__file__).resolve().parents[2]
TWCS = ROOT.parent / "shared" / "data" / "twcs_sample.csv"
LABELS = ROOT / "train" / "labels"
needs_care = pytest.mark.skipif(
    not (TWCS.exists() and LABELS.is_dir()), reason="care labels or twcs sample not present"
)


@pytest.fixture(scope="module")
def base() -> TriageModel:
    return load_model()


CORRECTIONS = [
    Correction("my parcel is late again", "intent", "complaint"),
    Correction("my parcel is late again", "sentiment", "negative"),
    Correction("can you resend the code", "intent", "request"),
    Correction("ok", "sentiment", "neutral"),
    Correction("the app is fine I guess", "sentiment", "positive"),
] * 4


@pytest.fixture(scope="module")
def adapted(base) -> AdaptedModel:
    return fit_adapted(base, CORRECTIONS)


def test_correction_validates_field_and_label() -> None:
    with pytest.raises(ValueError, match="unknown field 'spam'"):
        Correction("x", "spam", "yes")
    with pytest.raises(ValueError, match="unknown intent label 'angry'"):
        Correction("x", "intent", "angry")
    with pytest.raises(ValueError, match="unknown sentiment label 'complaint'"):
        Correction("x", "sentiment", "complaint")


def test_split_is_deterministic_and_keeps_a_text_on_one_side() -> None:
    words = "late refund parcel app crash thanks agent flight gate update".split()
    texts = [f"{words[i % 10]} {words[i // 10 % 10]} {words[i // 100]}" for i in range(500)]
    corrections = [Correction(t, "intent", "question") for t in texts]
    # The same text (up to case) lands on the same side.
    corrections += [Correction(t.upper(), "sentiment", "neutral") for t in texts[:50]]
    fit, held = split_corrections(corrections)
    assert (fit, held) == split_corrections(list(corrections))
    assert len(fit) + len(held) == len(corrections)
    assert 60 <= len(held) <= 140  # about 20 %

    def key(c: Correction) -> str:
        return c.text.lower()

    assert not {key(c) for c in fit} & {key(c) for c in held}


def test_adapted_model_is_a_triage_model_and_learns_the_corrections(base, adapted) -> None:
    assert isinstance(adapted, TriageModel)
    assert isinstance(adapted, SentimentAnalyzer)
    assert adapted.name.startswith("beancan-triage-3+adapted.")
    assert adapted.predict("ok").model == adapted.name
    assert adapted.meta["corrections"] == {"sentiment": 12, "intent": 8}
    before, after = evaluate(base, CORRECTIONS), evaluate(adapted, CORRECTIONS)
    assert after["sentiment"]["n"] == 12 and after["intent"]["n"] == 8
    assert after["sentiment"]["correct"] >= before["sentiment"]["correct"]
    assert after["sentiment"]["accuracy"] == 1.0
    assert adapted.predict("the app is fine I guess").sentiment == "positive"


def test_no_corrections_is_the_base_model(base) -> None:
    empty = fit_adapted(base, [])
    texts = ["great", "awful", "where is my refund?"]
    assert empty.score_many(texts) == base.score_many(texts)
    assert len(empty.rows) == 0
    assert evaluate(empty, [])["intent"] == {"n": 0, "correct": 0, "accuracy": None}


def test_refitting_an_adapted_model_starts_from_the_base(base, adapted) -> None:
    again = fit_adapted(adapted, CORRECTIONS)
    assert again.base is base
    assert again.score_many(["ok", "late"]) == pytest.approx(adapted.score_many(["ok", "late"]))


@pytest.mark.parametrize("text", [*BAD_INPUTS.values(), None, 7])
def test_adapted_model_answers_bad_inputs(adapted, text) -> None:
    p = adapted.predict(text)
    assert -1.0 <= p.sentiment_score <= 1.0


def test_round_trip(base, adapted) -> None:
    data = adapted.to_bytes()
    assert len(data) < 200_000
    again = AdaptedModel.from_bytes(base, data)
    texts = ["my parcel is late again", "ok", "thank you!", ""]
    assert again.name == adapted.name
    assert again.predict_many(texts) == adapted.predict_many(texts)
    assert again.to_bytes() == data


def test_rejects_corrupt_bytes(base, adapted) -> None:
    data = adapted.to_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    for bad in (b"", b"garbage", data[:-10], data[: len(data) // 2], bytes(flipped), b"PK\x03\x04"):
        with pytest.raises(ValueError, match="adapted model"):
            AdaptedModel.from_bytes(base, bad)
    with pytest.raises(ValueError, match="no data"):
        AdaptedModel.from_bytes(base, "text")  # type: ignore[arg-type]


def test_rejects_pickles_and_tampered_arrays(base, adapted) -> None:
    with np.load(io.BytesIO(adapted.to_bytes()), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    # A pickled object array is refused (np.load with allow_pickle=False).
    buffer = io.BytesIO()
    np.savez(buffer, **dict(arrays, rows=np.array([object()], dtype=object)))
    with pytest.raises(ValueError, match="adapted model"):
        AdaptedModel.from_bytes(base, buffer.getvalue())
    # Changed weights no longer match the digest.
    buffer = io.BytesIO()
    np.savez(buffer, **dict(arrays, delta=arrays["delta"] * 2))
    with pytest.raises(ValueError, match="digest mismatch"):
        AdaptedModel.from_bytes(base, buffer.getvalue())
    # Rows out of range.
    buffer = io.BytesIO()
    rows = arrays["rows"].copy()
    rows[-1] = 10**9
    np.savez(buffer, **dict(arrays, rows=rows))
    with pytest.raises(ValueError, match="out of range"):
        AdaptedModel.from_bytes(base, buffer.getvalue())


def test_rejects_another_base(base, adapted) -> None:
    other = TriageModel("another-model", base.config, base._weights, {})
    with pytest.raises(ValueError, match="made for base model 'beancan-triage-3'"):
        AdaptedModel.from_bytes(other, adapted.to_bytes())


@needs_care
def test_adapting_improves_held_out_accuracy_on_a_real_shift(base) -> None:
    """The held-out care customers' sentiment labels follow the care guidelines (a polite
    problem report is negative), unlike TweetEval's. The shipped model's general table reads
    them the TweetEval way and never saw these customers: corrections from 7 in 8 of them must
    raise its accuracy on the other eighth. (The default care table already learned that
    reading from other customers: bench/results.md has its learning curve.)"""
    base = base.general()
    care = load_care_labels(LABELS, TWCS)
    _, held = care.split()

    def part(c) -> bool:
        return zlib.crc32(c.author_id.encode()) % 8 == 0

    fit = [Correction(c.text, "sentiment", c.sentiment) for c in held if not part(c)]
    test = [Correction(c.text, "sentiment", c.sentiment) for c in held if part(c)]
    assert len(fit) > 300 and len(test) > 200
    model = fit_adapted(base, fit)
    before = evaluate(base, test)["sentiment"]["accuracy"]
    after = evaluate(model, test)["sentiment"]["accuracy"]
    assert after >= before + 0.02


@needs_care
def test_refit_reports_before_and_after(base) -> None:
    care = load_care_labels(LABELS, TWCS)
    corrections = [Correction(c.text, "sentiment", c.sentiment) for c in care.split()[1]]
    result = refit(base, corrections)
    assert result.n_fit + result.n_held_out == len(corrections)
    assert result.before["sentiment"]["n"] == result.n_held_out > 50
    assert result.after["sentiment"]["accuracy"] is not None
    assert isinstance(result.model, AdaptedModel)
