"""Sending replies from the outbox, at most once per idempotency key.

A reply row moves queued → sending → sent (or back to queued with a backoff, or failed). Taking
a row from queued to sending is one conditional UPDATE, so two workers never send the same row at
once. A worker killed while sending leaves the row in `sending` with a lease; when the lease
expires the sweep puts it back in the queue and the connector, given the same idempotency key,
does not post twice.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beancan.connectors.base import Outgoing, SendError, connector_for
from beancan.inbox.models import Conversation, Direction, Message, SendState
from beancan.realtime.events import publish
from beancan.workspaces.models import AuditEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
# How long a send may take before the sweep assumes its worker died.
LEASE = timedelta(seconds=float(os.environ.get("BEANCAN_SEND_LEASE_SECONDS", 60)))


def backoff(attempt: int) -> timedelta:
    """Wait before the next attempt: 2, 4, 8, 16, 32 seconds…"""
    return timedelta(seconds=2**attempt)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    return bool(
        Message.objects.filter(
            pk=message_id, send_state=SendState.QUEUED, next_attempt_at__lte=now
        ).update(send_state=SendState.SENDING, next_attempt_at=now + LEASE)
    )


def send_outbound(message_id: int) -> str:
    """Try to send one queued reply; returns its state afterwards."""
    if not _claim(message_id):
        return "not due"
    message = Message.objects.select_related("channel", "conversation").get(pk=message_id)
    conv = message.conversation
    recipient = (
        conv.messages.filter(direction=Direction.INBOUND)
        .order_by("posted_at")
        .values_list("author_handle", flat=True)
        .first()
    ) or ""
    outgoing = Outgoing(
        idempotency_key=message.idempotency_key,
        text=message.text,
        private=message.private,
        in_reply_to=message.in_reply_to,
        recipient=recipient,
        conversation_key=conv.external_key,
    )
    attempt = message.send_attempts + 1
    try:
        sent = connector_for(message.channel).send(outgoing)
    except SendError as exc:
        return _failed_attempt(message, attempt, str(exc), exc.temporary)
    except Exception as exc:  # a connector bug must not leave the row stuck in `sending`
        log.exception("connector error sending message %s", message_id)
        return _failed_attempt(message, attempt, f"{type(exc).__name__}: {exc}", True)
    with transaction.atomic():
        updated = Message.objects.filter(pk=message_id, send_state=SendState.SENDING).update(
            send_state=SendState.SENT,
            external_id=sent.external_id,
            send_attempts=attempt,
            send_error="",
            next_attempt_at=None,
        )
        if updated:
            _audit(message, "reply.sent", external_id=sent.external_id, attempts=attempt)
            publish(
                message.workspace_id,
                "message.sent",
                {
                    "conversation_id": conv.pk,
                    "message_id": message.pk,
                    "external_id": sent.external_id,
                },
            )
    return SendState.SENT


def _audit(message: Message, verb: str, **data) -> None:
    AuditEvent.objects.create(
        workspace_id=message.workspace_id,
        actor_label="worker",
        verb=verb,
        object_type="message",
        object_id=message.pk,
        data=data,
    )


def _failed_attempt(message: Message, attempt: int, error: str, temporary: bool) -> str:
    final = not temporary or attempt >= MAX_ATTEMPTS
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, send_state=SendState.SENDING).update(
            send_state=SendState.FAILED if final else SendState.QUEUED,
            send_attempts=attempt,
            send_error=error[:2000],
            next_attempt_at=None if final else timezone.now() + backoff(attempt),
        )
        if final:
            _audit(message, "reply.failed", error=error[:500], attempts=attempt)
            from beancan.inbox.state import refresh_conversations

            conv = Conversation.objects.get(pk=message.conversation_id)
            refresh_conversations(conv.workspace, [conv.pk])  # a failed reply answers nobody
            publish(
                message.workspace_id,
                "message.failed",
                {
                    "conversation_id": message.conversation_id,
                    "message_id": message.pk,
                    "error": error[:500],
                },
            )
    if not final:
        from beancan.inbox.tasks import send_outbound as task

        task.using(run_after=timezone.now() + backoff(attempt)).enqueue(message.pk)
    return SendState.FAILED if final else SendState.QUEUED


def sweep_outbox(limit: int = 200) -> int:
    """Put back in the queue what a dead worker left: expired `sending` leases, and queued
    replies whose task never ran. Returns how many were re-queued."""
    now = timezone.now()
    stuck = list(
        Message.objects.filter(
            Q(send_state=SendState.SENDING, next_attempt_at__lt=now)
            | Q(send_state=SendState.QUEUED, next_attempt_at__lt=now - timedelta(seconds=30))
        ).values_list("pk", "send_state")[:limit]
    )
    from beancan.inbox.tasks import send_outbound as task

    for pk, state in stuck:
        if state == SendState.SENDING:
            Message.objects.filter(pk=pk, send_state=SendState.SENDING).update(
                send_state=SendState.QUEUED, next_attempt_at=now
            )
        else:
            Message.objects.filter(pk=pk).update(next_attempt_at=now)
        task.enqueue(pk)
    return len(stuck)
