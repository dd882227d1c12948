"""The whole triage of messages in one call: the text model, language detection and urgency.

The service's ingest, the audit and `beancan triage` call `triage_many`, so they get the same
answers. It works on batches: one `model.predict_many`, one `detect_many`, then urgency per
message from its prediction and, where given, its conversation context (how long the customer has
waited, how many times they wrote, VIP).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from beancan.triage.language import detect_many
from beancan.triage.types import Prediction, TriageResult
from beancan.triage.urgency import text_urgency, urgency_from


@dataclass(frozen=True, slots=True)
class TriageContext:
    """What urgency knows of a message's conversation besides its text."""

    waited_seconds: float = 0.0
    customer_messages: int = 1
    vip: bool = False


NO_CONTEXT = TriageContext()


class TextModel(Protocol):
    """What the pipeline needs of a text model (`triage.model.TriageModel` is one)."""

    name: str

    def predict_many(self, texts: Iterable[object]) -> list[Prediction]: ...


def resolve_model(model: TextModel | str | None = None) -> TextModel:
    """The model itself, or the named shipped model ("default" when None), loaded once."""
    if model is None or isinstance(model, str):
        from beancan.triage.model import load_model

        return load_model(model or "default")
    return model


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def triage_many(
    texts: Iterable[object],
    *,
    model: TextModel | str | None = None,
    contexts: Sequence[TriageContext | None] | None = None,
) -> list[TriageResult]:
    """Triage each text (a missing text is triaged as empty), in order."""
    texts = [_text(t) for t in texts]
    if contexts is not None and len(contexts) != len(texts):
        raise ValueError(f"{len(contexts)} contexts for {len(texts)} texts")
    if not texts:
        return []
    predictions = resolve_model(model).predict_many(texts)
    languages = detect_many(texts)
    results = []
    for i, (text, prediction, language) in enumerate(
        zip(texts, predictions, languages, strict=True)
    ):
        context = (contexts[i] if contexts is not None else None) or NO_CONTEXT
        urgency = urgency_from(
            text_urgency(text, prediction),
            context.waited_seconds,
            context.customer_messages,
            context.vip,
        )
        results.append(TriageResult(prediction, language, urgency))
    return results


def triage_one(
    text: object,
    *,
    model: TextModel | str | None = None,
    context: TriageContext | None = None,
) -> TriageResult:
    """Triage one text."""
    return triage_many([text], model=model, contexts=[context])[0]
