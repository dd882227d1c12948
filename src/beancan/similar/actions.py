"""Writes of similar conversations: the embedding sweep the worker runs (never ingest)."""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, Value, When

from beancan.inbox.models import EMBEDDING_DUE, OPENING_MESSAGES, Conversation, Direction, Message
from beancan.similar.models import ConversationVector
from beancan.triage import embeddings

BATCH = 64
ANSWERED_BATCH = 1_000


def pending_conversations():
    """Conversations whose opening has no embedding yet, or one read before the customer wrote
    more (while unanswered): newest first, so today's queue comes first. Read off a partial
    index that holds only these."""
    return Conversation.objects.filter(EMBEDDING_DUE).order_by("-pk")


def _openings(conversations: list[Conversation]) -> dict[int, list[str]]:
    """The customer's messages up to the first reply, at most OPENING_MESSAGES, per conversation."""
    texts: dict[int, list[str]] = {c.pk: [] for c in conversations}
    rows = (
        Message.objects.filter(
            conversation_id__in=list(texts), direction=Direction.INBOUND, private=False
        )
        .filter(
            Q(conversation__first_response_at__isnull=True)
            | Q(posted_at__lte=F("conversation__first_response_at"))
        )
        .order_by("conversation_id", "posted_at", "pk")
        .values_list("conversation_id", "text")
    )
    for conversation_id, text in rows.iterator(chunk_size=2_000):
        kept = texts[conversation_id]
        if len(kept) < OPENING_MESSAGES:
            kept.append(text)
    return texts


def vectors_refresh(limit: int = BATCH) -> int:
    """Embed up to `limit` pending conversations; returns how many were stored. Safe to run in
    several workers at once: the last write of a conversation wins, and both wrote the same."""
    batch = list(pending_conversations().only("pk", "workspace_id", "answered")[:limit])
    if not batch:
        return 0
    openings = _openings(batch)
    empty = [c.pk for c in batch if not openings[c.pk]]
    if empty:  # only private or removed messages: nothing to read, and nothing to redo
        Conversation.objects.filter(pk__in=empty).update(embedded_messages=OPENING_MESSAGES)
    batch = [c for c in batch if openings[c.pk]]
    if not batch:
        return 0
    # The model runs outside any transaction: a batch takes about a second of CPU.
    vectors = embeddings.encode(["\n".join(openings[c.pk]) for c in batch])
    rows = [
        ConversationVector(
            conversation_id=c.pk,
            workspace_id=c.workspace_id,
            model=embeddings.MODEL,
            messages=len(openings[c.pk]),
            vector=embeddings.pack(v),
            answered=c.answered,
        )
        for c, v in zip(batch, vectors, strict=True)
    ]
    with transaction.atomic():
        ConversationVector.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["conversation"],
            update_fields=["model", "messages", "vector", "answered", "updated_at"],
        )
        # What was read: a later message before the first reply makes it due again.
        Conversation.objects.filter(pk__in=[c.pk for c in batch]).update(
            embedded_messages=Case(
                *(When(pk=c.pk, then=Value(len(openings[c.pk]))) for c in batch),
                default=F("embedded_messages"),
                output_field=PositiveSmallIntegerField(),
            )
        )
    return len(rows)


def vectors_mark_answered(limit: int = ANSWERED_BATCH) -> int:
    """Put conversations answered since they were embedded into the pool of past answers."""
    pks = list(
        ConversationVector.objects.filter(answered=False, conversation__answered=True).values_list(
            "pk", flat=True
        )[:limit]
    )
    if not pks:
        return 0
    return ConversationVector.objects.filter(pk__in=pks).update(answered=True)


def vectors_sweep(seconds: float = 5.0, limit: int = BATCH) -> int:
    """Embed pending conversations batch by batch for at most about `seconds` (short, so that a
    worker that also sends replies, or is asked to stop, is never held long); the count."""
    done = 0
    deadline = time.monotonic() + seconds
    vectors_mark_answered()
    while time.monotonic() < deadline:
        stored = vectors_refresh(limit)
        done += stored
        if stored < limit:
            break
    vectors_mark_answered()
    return done
