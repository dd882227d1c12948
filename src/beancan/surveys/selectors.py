"""Reads of surveys (they never write); every query starts from the actor's workspace."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from beancan.care import surveys as care
from beancan.surveys.models import Kind, State, Survey, SurveyPolicy
from beancan.workspaces.actors import Actor

SENT_STATES = (State.SENT, State.ANSWERED, State.EXPIRED)


def policy_for(workspace) -> SurveyPolicy:
    """The workspace's survey policy (the defaults, unsaved, if it has none yet)."""
    return SurveyPolicy.objects.filter(workspace=workspace).first() or SurveyPolicy(
        workspace=workspace
    )


def _scores(surveys, kind: str) -> list[int]:
    return [s.score for s in surveys if s.kind == kind and s.score is not None]


def contact_surveys(actor: Actor, contact_id: int | None, limit: int = 20) -> dict:
    """A contact's latest surveys (newest first) and their CSAT and NPS, in one query."""
    if contact_id is None:
        return {"items": [], "csat": None, "nps": None}
    actor.require("view")
    items = list(
        Survey.objects.in_workspace(actor.workspace)
        .filter(contact_id=contact_id)
        .exclude(state__in=(State.SCHEDULED, State.CANCELLED, State.FAILED))
        .order_by("-created_at", "-pk")[:limit]
    )
    return {
        "items": items,
        "csat": care.csat(_scores(items, Kind.CSAT)),
        "nps": care.nps(_scores(items, Kind.NPS)),
    }


def survey_list(
    actor: Actor,
    *,
    kind: str | None = None,
    state: str | None = None,
    contact_id: int | None = None,
    conversation_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """The workspace's surveys, newest first, filtered."""
    actor.require("view")
    qs = Survey.objects.in_workspace(actor.workspace).select_related("contact")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if conversation_id is not None:
        qs = qs.filter(conversation_id=conversation_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return list(qs.order_by("-created_at", "-pk")[offset : offset + limit])


def survey_summary(
    actor: Actor, since: datetime | None = None, until: datetime | None = None, latest: int = 20
) -> dict:
    """CSAT, NPS, response rate and the distribution of scores of surveys sent in [since,
    until), per kind, with the latest answers; the metrics are care.surveys' definitions."""
    actor.require("view")
    sent = Survey.objects.in_workspace(actor.workspace).filter(state__in=SENT_STATES)
    if since is not None:
        sent = sent.filter(sent_at__gte=since)
    if until is not None:
        sent = sent.filter(sent_at__lt=until)
    counts: dict[str, dict] = {k: {"sent": 0, "scores": []} for k in Kind.values}
    for row in sent.values("kind", "score").annotate(n=Count("pk")).order_by():
        entry = counts[row["kind"]]
        entry["sent"] += row["n"]
        if row["score"] is not None:
            entry["scores"] += [row["score"]] * row["n"]
    kinds = {}
    for kind, entry in counts.items():
        scores = entry["scores"]
        kinds[kind] = {
            "sent": entry["sent"],
            "responses": len(scores),
            "response_rate": care.response_rate(len(scores), entry["sent"]),
            "score": care.csat(scores) if kind == Kind.CSAT else care.nps(scores),
            "distribution": care.distribution(scores, kind),
        }
    answers = list(
        sent.filter(state=State.ANSWERED)
        .select_related("contact")
        .order_by("-answered_at", "-pk")[:latest]
    )
    return {"kinds": kinds, "latest": answers}
