"""Who is acting: a member of a workspace (by login) or an API token scoped to one workspace.
Every action takes an Actor and checks what its role allows."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from beancan.workspaces.models import AuditEvent, Membership, Workspace, role_allows


@dataclass(frozen=True)
class Actor:
    workspace: Workspace
    role: str
    user: object | None = None
    label: str = ""

    @classmethod
    def member(cls, user, workspace: Workspace) -> Actor:
        """The actor for a logged-in user in a workspace; PermissionDenied if not a member."""
        membership = Membership.objects.filter(user=user, workspace=workspace).first()
        if membership is None or not user.is_active:
            raise PermissionDenied("not a member of this workspace")
        return cls(workspace, membership.role, user, user.get_username())

    @classmethod
    def member_of(cls, user, workspace_name: str) -> Actor | None:
        """The actor for a logged-in user in the workspace of that name, found with one query;
        None if there is no such workspace, PermissionDenied if the user is not a member."""
        membership = (
            Membership.objects.select_related("workspace")
            .filter(user=user, workspace__name=workspace_name)
            .first()
        )
        if membership is not None and user.is_active:
            return cls(membership.workspace, membership.role, user, user.get_username())
        if not Workspace.objects.filter(name=workspace_name).exists():
            return None
        raise PermissionDenied("not a member of this workspace")

    @classmethod
    def system(cls, workspace: Workspace, label: str) -> Actor:
        """The actor for the worker, the replay and other processes of beancan itself."""
        return cls(workspace, "admin", None, label)

    def can(self, action: str) -> bool:
        return role_allows(self.role, action)

    def require(self, action: str) -> None:
        """Raise PermissionDenied unless the role allows `action`."""
        if not self.can(action):
            raise PermissionDenied(f"a {self.role} may not {action} in this workspace")

    def require_same_workspace(self, obj) -> None:
        if obj.workspace_id != self.workspace.pk:
            raise PermissionDenied("not in this workspace")

    def audit(self, verb: str, obj, **data) -> None:
        """Write the audit trail row for a change this actor made (inside the action)."""
        AuditEvent.objects.create(
            workspace=self.workspace,
            actor=self.user,
            actor_label=self.label,
            verb=verb,
            object_type=type(obj).__name__.lower(),
            object_id=obj.pk,
            data=data,
        )
