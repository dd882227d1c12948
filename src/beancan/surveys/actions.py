"""Every change to surveys: saving the policy, scheduling a survey when a conversation is
resolved, sending it through the outbox, recording an answer, expiring and cancelling. Each
checks the actor, writes the audit row and publishes its event in the caller's transaction."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beancan.care.surveys import Answer, fill_question, question_error
from beancan.inbox.models import Conversation, Message, Status
from beancan.realtime.events import publish
from beancan.surveys.models import Kind, State, Survey, SurveyPolicy
from beancan.workspaces.actors import Actor

# When both are on, a contact is asked NPS (how they feel about the brand) at most this often,
# and CSAT (how this conversation went) the rest of the time.
NPS_INTERVAL = timedelta(days=90)
MAX_DELAY_MINUTES = 30 * 24 * 60
MAX_WINDOW_HOURS = 90 * 24
MAX_QUESTION = 1000
SYSTEM_LABEL = "surveys"
_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole(raw, label: str, low: int, high: int) -> int:
    raw = str(raw if raw is not None else "").strip()
    if not _NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise ValidationError(f"{label}: a whole number from {low} to {high}")
    return int(raw)


def _flag(raw, label: str) -> bool:
    value = str(raw if raw is not None else "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("", "0", "off", "false", "no"):
        return False
    raise ValidationError(f"{label}: on or off")


@transaction.atomic
def policy_save(actor: Actor, fields: dict) -> SurveyPolicy:
    """Save the workspace's survey policy from form fields (admins); every field is checked
    before anything is written."""
    actor.require("admin")
    policy = SurveyPolicy.objects.filter(workspace=actor.workspace).first()
    policy = policy or SurveyPolicy(workspace=actor.workspace)
    csat_on = _flag(fields.get("csat_enabled"), "csat_enabled")
    nps_on = _flag(fields.get("nps_enabled"), "nps_enabled")
    questions = {}
    for kind in Kind.values:
        name = f"{kind}_question"
        text = str(fields.get(name, getattr(policy, name)) or "").strip()
        if len(text) > MAX_QUESTION:
            raise ValidationError(f"{name}: at most {MAX_QUESTION} characters")
        if why := question_error(text):
            raise ValidationError(f"{name}: {why}")
        questions[name] = text
    send_as = str(fields.get("send_as", "private")).strip()
    if send_as not in ("private", "public"):
        raise ValidationError("send_as: private or public")
    delay = _whole(fields.get("delay_minutes", "0"), "delay_minutes", 0, MAX_DELAY_MINUTES)
    window = _whole(fields.get("window_hours", "72"), "window_hours", 1, MAX_WINDOW_HOURS)
    policy.csat_enabled, policy.nps_enabled = csat_on, nps_on
    policy.csat_question = questions["csat_question"]
    policy.nps_question = questions["nps_question"]
    policy.private = send_as == "private"
    policy.delay_minutes, policy.window_hours = delay, window
    policy.save()
    actor.audit(
        "surveys.policy_saved",
        policy,
        csat=csat_on,
        nps=nps_on,
        private=policy.private,
        delay_minutes=delay,
        window_hours=window,
    )
    return policy


def _kind_for(policy: SurveyPolicy, conv: Conversation) -> str:
    if not policy.csat_enabled:
        return Kind.NPS
    if not policy.nps_enabled:
        return Kind.CSAT
    recent_nps = Survey.objects.filter(
        contact_id=conv.contact_id,
        kind=Kind.NPS,
        created_at__gte=timezone.now() - NPS_INTERVAL,
    ).exists()
    return Kind.CSAT if recent_nps else Kind.NPS


def survey_schedule(actor: Actor, conv: Conversation) -> Survey | None:
    """Schedule the survey of a resolution, if the policy asks for one; called by
    `conversation_resolve` inside its transaction, with the conversation locked. A conversation
    whose survey is still scheduled or open gets no second one."""
    policy = SurveyPolicy.objects.filter(workspace_id=conv.workspace_id).first()
    if policy is None or not policy.enabled or conv.contact_id is None:
        return None
    if Survey.objects.filter(conversation=conv, state__in=(State.SCHEDULED, State.SENT)).exists():
        return None
    now = timezone.now()
    survey = Survey.objects.create(
        workspace_id=conv.workspace_id,
        conversation=conv,
        channel_id=conv.channel_id,
        contact_id=conv.contact_id,
        kind=_kind_for(policy, conv),
        due_at=now + timedelta(minutes=policy.delay_minutes),
    )
    actor.audit(
        "survey.scheduled",
        survey,
        conversation_id=conv.pk,
        kind=survey.kind,
        due_at=survey.due_at.isoformat(),
    )
    if policy.delay_minutes == 0:
        from beancan.surveys.tasks import send_survey

        transaction.on_commit(lambda: send_survey.enqueue(survey.pk))
    return survey


@transaction.atomic
def survey_send(survey_id: int) -> str:
    """Put a due survey's question in the outbox (as the system actor, through `reply_send`,
    with a key of its own so it is never stored twice); returns the survey's state after."""
    from beancan.inbox.actions import reply_send

    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("workspace", "contact")
        .filter(pk=survey_id)
        .first()
    )
    if survey is None or survey.state != State.SCHEDULED:
        return "not scheduled"
    now = timezone.now()
    if survey.due_at > now:
        return "not due"
    actor = Actor.system(survey.workspace, SYSTEM_LABEL)
    conv = Conversation.objects.get(pk=survey.conversation_id)
    if conv.status != Status.RESOLVED:
        return _close(actor, survey, State.CANCELLED, "the conversation was reopened")
    policy = SurveyPolicy.objects.filter(workspace_id=survey.workspace_id).first()
    if policy is None or not policy.enabled:
        return _close(actor, survey, State.CANCELLED, "surveys were switched off")
    template = policy.csat_question if survey.kind == Kind.CSAT else policy.nps_question
    first_name = survey.contact.first_name if survey.contact else ""
    try:
        with transaction.atomic():
            message = reply_send(
                actor,
                conv,
                fill_question(template, first_name),
                private=policy.private,
                idempotency_key=f"survey-{survey.pk}",
            )
    except ValidationError as exc:
        return _close(actor, survey, State.FAILED, " ".join(exc.messages))
    survey.message = message
    survey.state = State.SENT
    survey.sent_at = now
    survey.expires_at = now + timedelta(hours=policy.window_hours)
    survey.save(update_fields=["message", "state", "sent_at", "expires_at"])
    actor.audit("survey.sent", survey, conversation_id=conv.pk, message_id=message.pk)
    return State.SENT


def _close(actor: Actor, survey: Survey, state: str, why: str) -> str:
    survey.state = state
    survey.error = why[:500]
    survey.save(update_fields=["state", "error"])
    actor.audit(f"survey.{state}", survey, conversation_id=survey.conversation_id, reason=why)
    return state


def survey_answer_record(survey: Survey, answer: Answer, message: Message) -> bool:
    """Record a customer's answer (inside ingest's transaction, after the message is stored);
    False if the survey was already answered or closed meanwhile."""
    updated = Survey.objects.filter(pk=survey.pk, state=State.SENT).update(
        state=State.ANSWERED,
        score=answer.score,
        comment=answer.comment[:2000],
        answered_at=message.posted_at,
        answer=message,
    )
    if not updated:
        return False
    channel = message.channel  # ingest's own objects: no query
    actor = Actor.system(channel.workspace, f"channel:{channel.name}")
    actor.audit(
        "survey.answered",
        survey,
        conversation_id=survey.conversation_id,
        message_id=message.pk,
        kind=survey.kind,
        score=answer.score,
        reopens=answer.needs_reply,
    )
    publish(
        survey.workspace_id,
        "survey.answered",
        {
            "survey_id": survey.pk,
            "conversation_id": survey.conversation_id,
            "contact_id": survey.contact_id,
            "kind": survey.kind,
            "score": answer.score,
            "comment": answer.comment[:500],
        },
    )
    return True


def surveys_expire(limit: int = 500) -> int:
    """Close the open surveys whose answer window has passed (a bounded batch; idempotent)."""
    now = timezone.now()
    due = list(
        Survey.objects.filter(state=State.SENT, expires_at__lte=now).values_list(
            "pk", "workspace_id"
        )[:limit]
    )
    if not due:
        return 0
    from beancan.workspaces.models import AuditEvent

    with transaction.atomic():
        expired = Survey.objects.filter(pk__in=[pk for pk, _ in due], state=State.SENT).update(
            state=State.EXPIRED
        )
        by_workspace: dict[int, list[int]] = {}
        for pk, workspace_id in due:
            by_workspace.setdefault(workspace_id, []).append(pk)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    workspace_id=workspace_id,
                    actor_label=SYSTEM_LABEL,
                    verb="surveys.expired",
                    object_type="survey",
                    object_id=ids[0],
                    data={"survey_ids": ids},
                )
                for workspace_id, ids in by_workspace.items()
            ]
        )
    return expired


def surveys_move_contact(keep_id: int, other_id: int) -> None:
    """Surveys follow their contact when it is merged into another (called by contact_merge)."""
    Survey.objects.filter(contact_id=other_id).update(contact_id=keep_id)
