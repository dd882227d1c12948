"""The surveys' sweeps of the worker's clock: send the surveys that are due (their delay after
the resolution has passed) and close those whose answer window has. Bounded and idempotent."""

from __future__ import annotations

from django.utils import timezone

from beancan.surveys.actions import survey_send, surveys_expire
from beancan.surveys.models import State, Survey

BATCH = 100


def send_due(limit: int = BATCH) -> int:
    """Send the scheduled surveys that are due; returns how many went to the outbox."""
    due = list(
        Survey.objects.filter(state=State.SCHEDULED, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(survey_send(pk) == State.SENT for pk in due)


def sweep(limit: int = BATCH) -> dict[str, int]:
    """One pass of both sweeps."""
    return {"surveys_sent": send_due(limit), "surveys_expired": surveys_expire(limit * 5)}
