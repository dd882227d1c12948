"""The similar-conversations sweep of the worker's clock: queue one embedding task when some
conversation waits for its embedding and none is queued or running (a task left running by a
worker that died counts for STALE seconds only)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from beancan.similar import selectors

STALE = 600


def schedule_embedding() -> int:
    """1 when a task was queued, else 0."""
    if not selectors.similar_enabled():
        return 0
    from django_tasks_db.models import DBTaskResult

    from beancan.similar.actions import pending_conversations
    from beancan.similar.tasks import embed_conversations

    busy = DBTaskResult.objects.filter(
        task_path=embed_conversations.module_path,
        status__in=("READY", "RUNNING"),
        enqueued_at__gt=timezone.now() - timedelta(seconds=STALE),
    )
    if busy.exists() or not pending_conversations().exists():
        return 0
    embed_conversations.enqueue()
    return 1
