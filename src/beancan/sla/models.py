"""SLA policies: first and next response targets per priority, business hours and holidays."""

from __future__ import annotations

from django.db import models

from beancan.workspaces.models import Workspace

DEFAULT_FIRST_RESPONSE = {"urgent": 900, "high": 1800, "normal": 3600, "low": 4 * 3600}
DEFAULT_NEXT_RESPONSE = {"urgent": 900, "high": 1800, "normal": 3600, "low": 4 * 3600}


def _first() -> dict:
    return dict(DEFAULT_FIRST_RESPONSE)


def _next() -> dict:
    return dict(DEFAULT_NEXT_RESPONSE)


class SlaPolicy(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(max_length=100, default="Default")
    is_default = models.BooleanField(default=True)
    # Seconds of business time, per priority.
    first_response = models.JSONField(default=_first)
    next_response = models.JSONField(default=_next)
    timezone = models.CharField(max_length=64, default="UTC")
    # {"mon": [["09:00", "17:00"]], ...}; null: open around the clock.
    business_hours = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="one_default_sla_policy",
            )
        ]


class Holiday(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "date"], name="one_holiday")]
