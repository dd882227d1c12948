"""The clock tick the worker runs every few seconds: bounded, idempotent sweeps of what is due."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from beancan.inbox.models import Conversation, Status
from beancan.inbox.outbox import sweep_outbox
from beancan.realtime.events import publish

SNOOZE_BATCH = 200


def wake_snoozed(limit: int = SNOOZE_BATCH) -> int:
    """Reopen conversations whose snooze time has passed."""
    from beancan.inbox.actions import conversation_event

    woken = 0
    due = Conversation.objects.filter(
        status=Status.SNOOZED, snoozed_until__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        with transaction.atomic():
            updated = Conversation.objects.filter(pk=pk, status=Status.SNOOZED).update(
                status=Status.OPEN, snoozed_until=None, snooze_until_reply=False
            )
            if updated:
                conv = Conversation.objects.get(pk=pk)
                publish(conv.workspace_id, "conversation.updated", conversation_event(conv))
                woken += 1
    return woken


def announce_breaches(limit: int = SNOOZE_BATCH) -> int:
    """Tell every open page when a conversation passes its reply deadline (once per deadline)."""
    from django.db.models import Q

    from beancan.inbox.actions import conversation_event

    now = timezone.now()
    due = (
        Conversation.objects.filter(
            status__in=(Status.OPEN, Status.PENDING), sla_breached_at__isnull=True
        )
        .filter(Q(first_response_due_at__lte=now) | Q(next_response_due_at__lte=now))
        .values_list("pk", flat=True)[:limit]
    )
    announced = 0
    for pk in list(due):
        with transaction.atomic():
            if Conversation.objects.filter(pk=pk, sla_breached_at__isnull=True).update(
                sla_breached_at=now
            ):
                conv = Conversation.objects.get(pk=pk)
                publish(conv.workspace_id, "conversation.updated", conversation_event(conv))
                announced += 1
    return announced


def refresh_urgency(limit: int = SNOOZE_BATCH) -> int:
    """Recompute the urgency of conversations whose wait has grown enough to change it."""
    from beancan.inbox.actions import conversation_event
    from beancan.inbox.state import refresh_conversations
    from beancan.workspaces.models import Workspace

    due = list(
        Conversation.objects.filter(
            status__in=(Status.OPEN, Status.PENDING), urgency_next_at__lte=timezone.now()
        )
        .order_by("urgency_next_at")
        .values_list("pk", "workspace_id", "urgency")[:limit]
    )
    by_workspace: dict[int, dict[int, int]] = {}
    for pk, workspace_id, urgency in due:
        by_workspace.setdefault(workspace_id, {})[pk] = urgency
    changed = 0
    for workspace_id, before in by_workspace.items():
        workspace = Workspace.objects.get(pk=workspace_id)
        with transaction.atomic():
            for conv in refresh_conversations(workspace, list(before)):
                if conv.urgency != before[conv.pk]:
                    publish(workspace_id, "conversation.updated", conversation_event(conv))
                    changed += 1
    return changed


def tick() -> dict[str, int]:
    """One pass of every sweep."""
    from beancan.inbox.assignment import auto_assign_all
    from beancan.learning.clock import schedule_refits
    from beancan.similar.clock import schedule_embedding
    from beancan.surveys.clock import sweep as survey_sweep

    return {
        "outbox": sweep_outbox(),
        "snoozed": wake_snoozed(),
        "assigned": auto_assign_all(),
        "breached": announce_breaches(),
        "urgency": refresh_urgency(),
        "refits": schedule_refits(),
        "embedding": schedule_embedding(),
        **survey_sweep(),
    }
