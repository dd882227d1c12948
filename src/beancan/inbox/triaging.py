"""The service's side of triage: the fields a customer message gets at ingest (from the
workspace's model), and a conversation's urgency, intent and language while the customer waits.
The judgements themselves are beancan.triage's (pure); this module only maps them to rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from beancan.triage import language as lang
from beancan.triage import urgency as urg
from beancan.triage.sentiment import MAX_CHARS

# Urgency grows with the wait; it is recomputed after a quarter of the time waited so far, at
# least every 5 minutes and at most every 6 hours, so a long wait is not swept every tick.
RECHECK_MIN = timedelta(minutes=5)
RECHECK_MAX = timedelta(hours=6)


def triage_fields(workspace_id: int, texts: list[str]) -> list[dict]:
    """Message fields for customer messages: sentiment, intent, spam, language, text urgency."""
    if not texts:
        return []
    from beancan.learning.selectors import workspace_model

    model = workspace_model(workspace_id)
    capped = [t[:MAX_CHARS] for t in texts]
    predictions = model.predict_many(capped)
    languages = lang.detect_many(texts)
    out = []
    for p, language in zip(predictions, languages, strict=True):
        out.append(
            {
                "sentiment": p.sentiment_score,
                "sentiment_label": p.sentiment,
                "sentiment_confidence": round(p.sentiment_confidence, 4),
                "intent": p.intent,
                "intent_confidence": round(p.intent_confidence, 4),
                "spam": p.spam,
                "language": language.code,
                "text_urgency": _stored(urg.text_urgency(texts[len(out)], p)),
                "triage_model": p.model,
            }
        )
    return out


def _stored(base: urg.UrgencyBase) -> dict:
    return {"parts": [[reason, points] for reason, points in base.parts], "spam": base.spam}


def _loaded(data: dict) -> urg.UrgencyBase:
    parts = tuple((str(r), int(p)) for r, p in (data or {}).get("parts", ()))
    return urg.UrgencyBase(parts, spam=bool((data or {}).get("spam")))


def conversation_triage(
    waiting: list[dict], waiting_since: datetime | None, now: datetime, vip: bool
) -> dict:
    """Urgency, its reasons and the next recheck, intent and language of a conversation, from the
    triage fields of the customer's messages since the brand's last reply (`waiting`)."""
    if not waiting or waiting_since is None:
        return {"urgency": 0, "urgency_reasons": [], "urgency_next_at": None}
    waited = max(0.0, (now - waiting_since).total_seconds())
    bases = [_loaded(m["text_urgency"]) for m in waiting]
    # The most urgent waiting message speaks for the conversation; spam counts only if all is.
    base = max(bases, key=lambda b: (not b.spam, b.points))
    result = urg.urgency_from(base, waited, customer_messages=len(waiting), vip=vip)
    recheck = min(max(timedelta(seconds=waited / 4), RECHECK_MIN), RECHECK_MAX)
    return {
        "urgency": result.score,
        "urgency_reasons": list(result.reasons),
        "urgency_next_at": now + recheck,
    }
