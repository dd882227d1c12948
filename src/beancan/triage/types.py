"""The triage contract: what every triage component takes and answers.

Pure Python, no Django. The model (`triage.model`), language detection (`triage.language`),
urgency (`triage.urgency`) and the pipeline that joins them (`triage.pipeline`) all speak these
types, so the service's ingest, the audit, the replay and `beancan triage` get the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SENTIMENTS = ("negative", "neutral", "positive")
"""Sentiment labels, in the order of the model's class columns."""

INTENTS = ("complaint", "question", "request", "praise", "feedback", "other")
"""Intent labels. `request` asks for an action (refund, cancel, change); `feedback` includes
suggestions. Spam is flagged apart (`Prediction.spam`), not an intent."""


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the text model says about one customer message."""

    sentiment: str  # one of SENTIMENTS
    sentiment_score: float  # compound in [-1, 1]: P(positive) - P(negative)
    sentiment_confidence: float  # probability of the chosen label, in [0, 1]
    intent: str  # one of INTENTS
    intent_confidence: float  # probability of the chosen intent, in [0, 1]
    spam: bool
    model: str  # name and version of the model that answered, e.g. "beancan-triage-3"


@dataclass(frozen=True, slots=True)
class Language:
    """The language of a text: an ISO 639-1 code ("en", "es"…) or "und" when it can't be told."""

    code: str
    confidence: float  # in [0, 1]


@dataclass(frozen=True, slots=True)
class UrgencySignals:
    """Everything urgency looks at besides the text itself."""

    text: str
    intent: str
    sentiment: str
    sentiment_score: float
    waited_seconds: float = 0.0  # since the customer's first unanswered message
    customer_messages: int = 1  # messages the customer sent before a reply
    vip: bool = False  # the author is on the workspace's VIP list


@dataclass(frozen=True, slots=True)
class Urgency:
    """Urgency 0-100 and the reasons behind it, worded for the agent ("safety words: 'smoke'")."""

    score: int
    reasons: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The whole triage of one message."""

    prediction: Prediction
    language: Language
    urgency: Urgency
