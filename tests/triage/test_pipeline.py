"""The pipeline: one call gives the model's prediction, the language and the urgency."""

from __future__ import annotations

import pytest

from beancan.triage.language import detect
from beancan.triage.model import load_model
from beancan.triage.pipeline import TriageContext, triage_many, triage_one
from beancan.triage.types import TriageResult
from beancan.triage.urgency import text_urgency, urgency_from

TEXTS = [
    "@AcmeHelp the charger started smoking and burned my hand, I'm calling a lawyer",
    "where is my parcel? ordered two weeks ago",
    "thanks so much, that fixed it!",
    "",
    "😀" * 10_000,
    "mi vuelo se ha retrasado otra vez, quiero darme de baja",
]


def test_batch_is_the_same_as_one_by_one() -> None:
    batch = triage_many(TEXTS)
    assert batch == [triage_one(text) for text in TEXTS]
    assert all(isinstance(r, TriageResult) for r in batch)


def test_each_part_is_what_its_own_module_says() -> None:
    model = load_model()
    contexts = [TriageContext(waited_seconds=3600 * i, customer_messages=i + 1) for i in range(6)]
    results = triage_many(TEXTS, model=model, contexts=contexts)
    predictions = model.predict_many(TEXTS)
    for text, context, result, prediction in zip(
        TEXTS, contexts, results, predictions, strict=True
    ):
        assert result.prediction == prediction
        assert result.prediction.model == model.name
        assert result.language == detect(text)
        assert result.urgency == urgency_from(
            text_urgency(text, prediction), context.waited_seconds, context.customer_messages
        )


def test_urgent_words_and_context_raise_the_score() -> None:
    smoking, parcel, thanks, *_ = triage_many(TEXTS)
    assert smoking.urgency.score > parcel.urgency.score >= thanks.urgency.score
    assert any(r.startswith("safety words: 'smoking', 'burned'") for r in smoking.urgency.reasons)
    assert any(r.startswith("legal words: 'lawyer'") for r in smoking.urgency.reasons)
    waited = triage_one(TEXTS[1], context=TriageContext(waited_seconds=4 * 3600, vip=True))
    assert waited.urgency.score >= parcel.urgency.score + 16 + 15
    spanish = triage_many(TEXTS)[-1]
    assert spanish.language.code == "es"
    assert any("darme de baja" in r for r in spanish.urgency.reasons)


def test_nothing_to_triage_is_neutral_other_und() -> None:
    empty, missing, emoji = triage_many(["", None, "😀" * 10_000])  # type: ignore[list-item]
    for result in (empty, missing):
        assert (result.prediction.sentiment, result.prediction.intent) == ("neutral", "other")
        assert result.language.code == "und"
        assert result.urgency.score == 0
    assert emoji.language.code == "und"  # the model may read a wall of smileys as positive
    assert 0 <= emoji.urgency.score <= 100
    assert triage_many([]) == []


def test_model_by_name_or_instance() -> None:
    assert triage_one("hello", model="default") == triage_one("hello", model=load_model())
    with pytest.raises(ValueError, match="unknown triage model"):
        triage_one("hello", model="magic")


def test_contexts_must_match_the_texts() -> None:
    with pytest.raises(ValueError, match="2 contexts for 1 texts"):
        triage_many(["hello"], contexts=[None, None])
    assert triage_many(["hello"], contexts=[None]) == triage_many(["hello"])
