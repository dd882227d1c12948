"""A workspace's survey policy and the surveys sent after resolutions (CSAT and NPS)."""

from __future__ import annotations

from django.db import models

from beancan.inbox.models import Channel, Contact, Conversation, Message, RestrictedQuerySet
from beancan.workspaces.models import Workspace

DEFAULT_CSAT_QUESTION = (
    "Hi {first_name}, how did we do? Reply with a number from 1 (poor) to 5 (great)."
)
DEFAULT_NPS_QUESTION = (
    "Hi {first_name}, how likely are you to recommend us to a friend? "
    "Reply with a number from 0 (not at all) to 10 (very likely)."
)


class Kind(models.TextChoices):
    CSAT = "csat"
    NPS = "nps"


class SurveyPolicy(models.Model):
    """What a workspace asks after a resolution, how and when (what a care lead tunes)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    csat_enabled = models.BooleanField(default=False)
    nps_enabled = models.BooleanField(default=False)
    csat_question = models.TextField(default=DEFAULT_CSAT_QUESTION)
    nps_question = models.TextField(default=DEFAULT_NPS_QUESTION)
    private = models.BooleanField(default=True)  # a private message, else a public reply
    delay_minutes = models.PositiveIntegerField(default=0)  # after the resolution; 0 = at once
    window_hours = models.PositiveIntegerField(default=72)  # how long an answer is taken
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def enabled(self) -> bool:
        return self.csat_enabled or self.nps_enabled


class State(models.TextChoices):
    SCHEDULED = "scheduled"  # waiting for its due time
    SENT = "sent"  # the question is in the outbox or out; answers are taken until expires_at
    ANSWERED = "answered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # the conversation was reopened before it went out
    FAILED = "failed"  # the question could not be stored (e.g. over the channel's limit)


PENDING = (State.SCHEDULED, State.SENT)


class Survey(models.Model):
    """One survey of one resolution of a conversation."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="surveys")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()  # when to send (deadlines are stored, then swept)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            # A resolution sends one survey: while one is scheduled or open, no other is made.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(state__in=("scheduled", "sent")),
                name="one_pending_survey_per_conversation",
            ),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="survey_score_0_10"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="survey_due"),
            models.Index(fields=["state", "expires_at"], name="survey_expiry"),
            models.Index(fields=["channel", "contact", "state"], name="survey_open_by_contact"),
            models.Index(fields=["workspace", "kind", "answered_at"], name="survey_answers"),
            models.Index(fields=["workspace", "sent_at"], name="survey_sent"),
            models.Index(fields=["contact", "created_at"], name="survey_of_contact"),
        ]
