"""Corrections of triage labels by agents, and the models refitted from them, per workspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beancan.inbox.models import Message, RestrictedQuerySet
from beancan.triage.model import load_model
from beancan.workspaces.models import Workspace


class Field(models.TextChoices):
    SENTIMENT = "sentiment"
    INTENT = "intent"


class Correction(models.Model):
    """An agent's label for one field of one customer message (the latest correction wins)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=10, choices=Field.choices)
    predicted = models.CharField(max_length=10, blank=True)  # what the model said
    label = models.CharField(max_length=10)
    # The text the model saw, kept so a refit needs no join and survives edits of the message.
    text = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "field"], name="one_correction_per_field")
        ]
        indexes = [models.Index(fields=["workspace", "updated_at"])]


class WorkspaceModelQuerySet(RestrictedQuerySet):
    """Refits made for the model that ships with this beancan, or for an older one: a refit's
    delta belongs to the weights it was fitted on, so an outdated one is never used."""

    def current(self):
        return self.filter(base=load_model().name)

    def outdated(self):
        return self.exclude(base=load_model().name)


class WorkspaceModel(models.Model):
    """A triage model refitted from a workspace's corrections on top of the shipped model.

    At most one is active; none active means the shipped model (a rollback)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    base = models.CharField(max_length=60)  # the shipped model it adapts
    name = models.CharField(max_length=80)  # the adapted model's own name (a content digest)
    corrections = models.PositiveIntegerField()  # used for the deployed fit
    heldout = models.PositiveIntegerField()  # held out for the scores below
    # {"sentiment": {"before": 0.61, "after": 0.74, "n": 40}, "intent": {...}}
    scores = models.JSONField(default=dict)
    fit_seconds = models.FloatField(default=0)
    data = models.BinaryField()
    active = models.BooleanField(default=False)

    objects = WorkspaceModelQuerySet.as_manager()

    @property
    def outdated(self) -> bool:
        """It adapts another shipped model than this beancan's (made before an upgrade)."""
        return self.base != load_model().name

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(active=True), name="one_active_model"
            )
        ]
        indexes = [models.Index(fields=["workspace", "created_at"])]


class LearningState(models.Model):
    """When a workspace's refit was last asked for and done (the clock's bookkeeping)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    refit_queued_at = models.DateTimeField(null=True, blank=True)
    refit_done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
