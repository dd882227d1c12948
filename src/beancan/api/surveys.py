"""API of follow-up surveys: the workspace's surveys (filtered) and their summary (CSAT, NPS,
response rate and the distribution of scores, with care.surveys' definitions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from beancan.api import io
from beancan.surveys.models import Kind, State, Survey
from beancan.surveys.selectors import survey_list, survey_summary

surveys = Router(tags=["surveys"])
ERRORS = {400: io.Detail, 403: io.Detail}


def _actor(request, action: str = "view"):
    from beancan.api.service import _actor as actor_for

    return actor_for(request, action)


def survey_out(s: Survey) -> dict:
    return {
        "id": s.pk,
        "conversation_id": s.conversation_id,
        "contact_id": s.contact_id,
        "kind": s.kind,
        "state": s.state,
        "due_at": s.due_at,
        "sent_at": s.sent_at,
        "expires_at": s.expires_at,
        "message_id": s.message_id,
        "score": s.score,
        "answered_at": s.answered_at,
        "answer_id": s.answer_id,
        "comment": s.comment,
    }


def _aware(name: str, value):
    if value is not None and value.tzinfo is None:
        raise ValidationError(f"{name}: a timezone-aware date and time is required")
    return value


class SurveyFilters(io.In):
    kind: Kind | None = None
    state: State | None = None
    contact: io.RowId | None = None
    conversation: io.RowId | None = None
    since: io.When | None = None
    until: io.When | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


@surveys.get("/surveys", response={200: list[io.SurveyOut], **ERRORS})
def survey_list_get(request, filters: Query[SurveyFilters]):
    """The workspace's surveys, newest first (filter by kind, state, contact, conversation and
    when they were scheduled)."""
    actor = _actor(request)
    rows = survey_list(
        actor,
        kind=filters.kind,
        state=filters.state,
        contact_id=filters.contact,
        conversation_id=filters.conversation,
        since=_aware("since", filters.since),
        until=_aware("until", filters.until),
        limit=filters.limit,
        offset=filters.offset,
    )
    return [survey_out(s) for s in rows]


class KindSummary(Schema):
    sent: int
    responses: int
    response_rate: float | None
    score: float | None  # CSAT: share 0-1 scoring 4-5; NPS: -100 to 100
    distribution: dict[str, int]  # score -> answers


class SummaryOut(Schema):
    csat: KindSummary
    nps: KindSummary
    latest: list[io.SurveyOut]


class SummaryFilters(io.In):
    since: io.When | None = None
    until: io.When | None = None


@surveys.get("/surveys/summary", response={200: SummaryOut, **ERRORS})
def survey_summary_get(request, filters: Query[SummaryFilters]):
    """CSAT, NPS, response rate and the distribution of scores of the surveys sent in
    [since, until), with the latest answers."""
    actor = _actor(request)
    summary = survey_summary(
        actor, since=_aware("since", filters.since), until=_aware("until", filters.until)
    )
    out = {
        kind: {**v, "distribution": {str(score): n for score, n in v["distribution"]}}
        for kind, v in summary["kinds"].items()
    }
    return {**out, "latest": [survey_out(s) for s in summary["latest"]]}
