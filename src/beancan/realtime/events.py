"""Publishing realtime events: rows written in the action's own transaction (so they exist exactly
when the change is committed), and on PostgreSQL a NOTIFY that other processes receive at commit."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from beancan.inbox.bulk import copy_rows
from beancan.realtime.models import Event

CHANNEL = "beancan_events"
LOCK_CLASS = 0x6265616E  # pg_advisory_xact_lock(LOCK_CLASS, workspace id)

# Every event type and the keys of its payload (a test checks every published event against it).
SCHEMAS: dict[str, frozenset[str]] = {
    "message.created": frozenset(
        {"conversation_id", "message_id", "direction", "private", "author", "text", "posted_at"}
    ),
    "message.sent": frozenset({"conversation_id", "message_id", "external_id"}),
    "message.failed": frozenset({"conversation_id", "message_id", "error"}),
    "conversation.created": frozenset({"conversation_id", "channel_id", "contact_id"}),
    "conversation.updated": frozenset(
        {"conversation_id", "status", "assignee_id", "priority", "due_at", "urgency"}
    ),
    "message.triaged": frozenset({"conversation_id", "message_id", "field", "label"}),
    "triage.model": frozenset({"model", "active"}),
    "note.created": frozenset({"conversation_id", "note_id", "author", "text"}),
    "conversation.viewers": frozenset({"conversation_id", "viewers"}),
    "survey.answered": frozenset(
        {"survey_id", "conversation_id", "contact_id", "kind", "score", "comment"}
    ),
}


class EventSchemaError(ValueError):
    """An event whose payload does not match its type's schema."""


def _check(type_: str, payload: dict) -> None:
    keys = SCHEMAS.get(type_)
    if keys is None:
        raise EventSchemaError(f"unknown event type {type_!r}")
    if set(payload) != keys:
        raise EventSchemaError(
            f"{type_}: payload keys {sorted(payload)} differ from the schema {sorted(keys)}"
        )


def publish_many(workspace_id: int, events: list[tuple[str, dict]]) -> None:
    """Record events of one workspace; call inside the action's transaction."""
    if not events:
        return
    for type_, payload in events:
        _check(type_, payload)
    if connection.vendor != "postgresql":  # SQLite's writers already queue: ids are in order
        Event.objects.bulk_create(
            [Event(workspace_id=workspace_id, type=t, payload=p) for t, p in events]
        )
        return
    # A workspace's events are numbered in commit order: without this lock a transaction could
    # take a lower id and commit after a higher one was streamed, and a stream that has moved
    # past it would never send it. Held only from here to commit: nothing after it waits for
    # another row lock.
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, workspace_id])
    # Ingest publishes an event per message: rows go straight into a COPY, with no model
    # instance each (they cost a tenth of ingest in a profile).
    payload = Event._meta.get_field("payload")
    now = timezone.now()
    copy_rows(
        Event._meta.db_table,
        ["workspace_id", "type", "payload", "created_at"],
        ((workspace_id, t, payload.get_db_prep_save(p, connection), now) for t, p in events),
    )
    with connection.cursor() as cur:  # delivered by PostgreSQL when the transaction commits
        cur.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(workspace_id)])


def publish(workspace_id: int, type_: str, payload: dict) -> None:
    """Record one event; call inside the action's transaction."""
    publish_many(workspace_id, [(type_, payload)])
