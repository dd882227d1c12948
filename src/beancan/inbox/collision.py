"""Collision detection: who else has a conversation open or is typing a reply to it. Pages send
a heartbeat; a viewer not heard from for STALE seconds has left."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from beancan.inbox.models import Conversation, ConversationViewer
from beancan.realtime.events import publish
from beancan.workspaces.actors import Actor

STALE = timedelta(seconds=30)


def viewers(conv: Conversation) -> list[dict]:
    """Who is on the conversation now: [{"user", "typing"}], by name."""
    since = timezone.now() - STALE
    rows = ConversationViewer.objects.filter(conversation=conv, seen_at__gte=since).values_list(
        "user__username", "typing"
    )
    # Sorted here, not by the database's collation, so viewer_heartbeat's update sorts the same.
    return sorted(({"user": u, "typing": t} for u, t in rows), key=lambda v: v["user"])


@transaction.atomic
def viewer_heartbeat(actor: Actor, conv: Conversation, typing: bool, leaving: bool = False):
    """Record that the actor views (or types in, or left) the conversation; tells the others
    when the set of viewers changes. Returns the viewers now.

    Half of what 50 agents send is heartbeats, so the write is one upsert (or delete). The
    viewers are read before and after it: the read after also sees another agent's heartbeat
    that committed meanwhile, so two agents opening a conversation together both see each other."""
    actor.require("view")
    actor.require_same_workspace(conv)
    before = viewers(conv)
    if leaving:
        ConversationViewer.objects.filter(conversation=conv, user=actor.user).delete()
    else:
        ConversationViewer.objects.bulk_create(
            [
                ConversationViewer(
                    conversation=conv, user=actor.user, typing=typing, seen_at=timezone.now()
                )
            ],
            update_conflicts=True,
            unique_fields=["conversation", "user"],
            update_fields=["typing", "seen_at"],
        )
    after = viewers(conv)
    if after != before:
        publish(
            conv.workspace_id,
            "conversation.viewers",
            {"conversation_id": conv.pk, "viewers": after},
        )
    return after
