"""The similar-conversations sweep of the worker's clock: queue one embedding task (queue "ml")
when some conversation waits for its embedding, none is queued or running (a task left running
by a worker that died counts for STALE seconds only) and none was queued in the last INTERVAL
seconds."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from beancan.similar import selectors

STALE = 600
# At most one task queued per INTERVAL seconds: a steady trickle of new conversations is
# embedded in batches rather than one task per clock tick.
INTERVAL = 10


def schedule_embedding() -> int:
    """1 when a task was queued, else 0."""
    if not selectors.similar_enabled():
        return 0
    from django_tasks_db.models import DBTaskResult

    from beancan.similar.actions import pending_conversations
    from beancan.similar.tasks import embed_conversations

    now = timezone.now()
    busy = DBTaskResult.objects.filter(task_path=embed_conversations.module_path).filter(
        Q(status__in=("READY", "RUNNING"), enqueued_at__gt=now - timedelta(seconds=STALE))
        | Q(enqueued_at__gt=now - timedelta(seconds=INTERVAL))
    )
    if busy.exists() or not pending_conversations().exists():
        return 0
    embed_conversations.enqueue()
    return 1
