"""Who is calling: a bearer API token (scoped to one workspace and a role) or a logged-in member."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from beancan.workspaces.actors import Actor
from beancan.workspaces.models import ApiToken, Workspace


def bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def actor_from_token(secret: str) -> Actor | None:
    """The actor of a live API token, or None."""
    token = ApiToken.find(secret)
    if token is None:
        return None
    if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return Actor(token.workspace, token.role, None, f"token:{token.name}")


def actor_from_request(request, workspace_name: str | None = None) -> Actor:
    """The actor behind a request, for the named workspace (a token's own if not named);
    PermissionDenied if there is none or it belongs elsewhere."""
    secret = bearer(request)
    if secret is not None:
        actor = actor_from_token(secret)
        if actor is None:
            raise PermissionDenied("invalid or revoked token")
        if workspace_name is not None and actor.workspace.name != workspace_name:
            raise PermissionDenied("this token belongs to another workspace")
        return actor
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or workspace_name is None:
        raise PermissionDenied("authentication required")
    workspace = Workspace.objects.filter(name=workspace_name).first()
    if workspace is None:
        raise PermissionDenied("not a member of this workspace")
    return Actor.member(user, workspace)
