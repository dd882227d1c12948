"""Background tasks of similar conversations: thin, they call the sweep."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="ml")
def embed_conversations() -> int:
    from beancan.similar.actions import vectors_sweep

    return vectors_sweep()
