"""Presence and automatic assignment: new open conversations go round-robin to online agents
with free capacity (the least loaded first, then whoever waited longest for one)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from beancan.inbox.models import QUEUE_ORDER, Conversation, Status
from beancan.realtime.events import publish
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Membership, Presence, Workspace

BATCH = 200
ACTIVE = (Status.OPEN, Status.PENDING)


@transaction.atomic
def presence_set(actor: Actor, presence: str) -> Membership:
    """An agent says they are online, away or offline."""
    if presence not in Presence.values:
        from django.core.exceptions import ValidationError

        raise ValidationError(f"presence: one of {', '.join(Presence.values)}")
    membership = Membership.objects.select_for_update().get(
        workspace=actor.workspace, user=actor.user
    )
    membership.presence = presence
    membership.save(update_fields=["presence"])
    actor.audit("presence.set", membership, presence=presence)
    return membership


def agent_loads(workspace: Workspace) -> list[Membership]:
    """The workspace's agents with their open conversations counted (as `load`)."""
    # One count per agent through the (workspace, assignee) index of conversations in play;
    # a join would walk every conversation each agent ever had, resolved ones included.
    in_play = (
        Conversation.objects.filter(
            workspace=workspace, assignee=OuterRef("user_id"), status__in=ACTIVE
        )
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Membership.objects.filter(workspace=workspace)
        .exclude(role="viewer")
        .select_related("user")
        .annotate(load=Coalesce(Subquery(in_play), 0))
        .order_by("user__username")
    )


def auto_assign(workspace: Workspace, limit: int = BATCH) -> int:
    """Assign unassigned open conversations in queue order (the most urgent, then the nearest
    deadline, first); returns how many."""
    from beancan.inbox.actions import conversation_event

    assigned = 0
    with transaction.atomic():
        agents = [
            m
            for m in agent_loads(workspace)
            if m.presence == Presence.ONLINE and m.load < m.capacity and m.user.is_active
        ]
        if not agents:
            return 0
        waiting = list(
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(workspace=workspace, status=Status.OPEN, assignee__isnull=True)
            .order_by(*QUEUE_ORDER)[:limit]
        )
        now = timezone.now()
        picked: dict[int, Membership] = {}
        never = datetime.min.replace(tzinfo=UTC)
        for conv in waiting:
            agents = [m for m in agents if m.load < m.capacity]
            if not agents:
                break
            pick = min(agents, key=lambda m: (m.load, m.last_assigned_at or never))
            conv.assignee = pick.user
            conv.save(update_fields=["assignee"])
            pick.load += 1
            pick.last_assigned_at = now
            picked[pick.pk] = pick
            Actor.system(workspace, "auto-assign").audit(
                "conversation.assigned", conv, assignee_id=pick.user_id, auto=True
            )
            publish(workspace.pk, "conversation.updated", conversation_event(conv))
            assigned += 1
        Membership.objects.bulk_update(list(picked.values()), ["last_assigned_at"])
    return assigned


def auto_assign_all() -> int:
    """The clock's sweep: every workspace that assigns automatically."""
    return sum(auto_assign(ws) for ws in Workspace.objects.filter(auto_assign=True))
