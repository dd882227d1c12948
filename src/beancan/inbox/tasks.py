"""Background tasks of the inbox: thin, they take ids and call the outbox or the clock."""

from __future__ import annotations

from django_tasks import task

from beancan.inbox import outbox


@task()
def send_outbound(message_id: int) -> str:
    return outbox.send_outbound(message_id)
