"""Workspaces (the tenant boundary), their members and roles, API tokens and the audit trail."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from beancan.workspaces.crypto import digest


class Role(models.TextChoices):
    VIEWER = "viewer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


RANK = {Role.VIEWER: 0, Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}
# What each action needs, at least.
NEEDS = {"view": Role.VIEWER, "act": Role.AGENT, "manage": Role.SUPERVISOR, "admin": Role.ADMIN}


def role_allows(role: str, action: str) -> bool:
    """Whether a member with `role` may do `action` (view, act, manage, admin)."""
    return RANK[Role(role)] >= RANK[NEEDS[action]]


class Workspace(models.Model):
    """One brand or care team: nothing crosses from one workspace to another."""

    name = models.SlugField(max_length=64, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    # The brand's own handles beyond the authors of outbound messages (as `audit --brand`).
    brand_handles = models.JSONField(default=list, blank=True)
    # A customer's message without a reply chain joins their open conversation on the same
    # channel if it was active within this many seconds.
    reopen_window_seconds = models.PositiveIntegerField(default=24 * 3600)
    vip_handles = models.JSONField(default=list, blank=True)
    # New open conversations go round-robin to online agents with free capacity.
    auto_assign = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class WorkspaceQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> WorkspaceQuerySet:
        """Workspaces where `user` may do `action`."""
        if user is None or not user.is_authenticated:
            return self.none()
        roles = [r for r in Role if role_allows(r, action)]
        return self.filter(memberships__user=user, memberships__role__in=roles)


Workspace.add_to_class("objects", WorkspaceQuerySet.as_manager())


class Presence(models.TextChoices):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    presence = models.CharField(max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=10)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="team_name")]


TOKEN_PREFIX = "bc_"


class ApiToken(models.Model):
    """A bearer token scoped to one workspace and one role; only its digest is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def find(cls, secret: str) -> ApiToken | None:
        """The live token for a presented secret, if any."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        return (
            cls.objects.select_related("workspace")
            .filter(digest=digest(secret), revoked_at__isnull=True)
            .first()
        )


class AuditEvent(models.Model):
    """Who changed what, written by the action that made the change."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=100, blank=True)
    verb = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField(null=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "object_type", "object_id"])]


class LoginAttempt(models.Model):
    """Failed logins, counted per username and per address to slow down guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
