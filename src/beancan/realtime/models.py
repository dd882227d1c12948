"""Realtime events, written in the transaction of the action that caused them: an event exists
exactly when its change was committed, and a client that reconnects resumes from its last id."""

from __future__ import annotations

from django.db import models

from beancan.workspaces.models import Workspace


class Event(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "id"])]
