"""Reads for the inbox pages; they never write. Every query starts from the actor's workspace."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from beancan.inbox.models import CannedResponse, Conversation, Identity, Message, Note, Status
from beancan.workspaces.actors import Actor

NEAR_DEADLINE = timedelta(minutes=15)
QUEUES = (
    ("mine", "Mine"),
    ("unassigned", "Unassigned"),
    ("open", "All open"),
    ("breaching", "Breaching or near SLA"),
    ("snoozed", "Snoozed"),
    ("resolved", "Resolved"),
)
ACTIVE = (Status.OPEN, Status.PENDING)


def _queue_q(actor: Actor, queue: str) -> Q:
    soon = timezone.now() + NEAR_DEADLINE
    due_soon = Q(first_response_due_at__lte=soon) | Q(next_response_due_at__lte=soon)
    return {
        "mine": Q(status__in=ACTIVE, assignee=actor.user),
        "unassigned": Q(status=Status.OPEN, assignee__isnull=True),
        "open": Q(status__in=ACTIVE),
        "breaching": Q(status__in=ACTIVE) & due_soon,
        "snoozed": Q(status=Status.SNOOZED),
        "resolved": Q(status=Status.RESOLVED),
    }[queue]


def queue_counts(actor: Actor) -> dict[str, int]:
    """The live count of every queue, in one query."""
    qs = Conversation.objects.in_workspace(actor.workspace)
    return qs.aggregate(**{key: Count("pk", filter=_queue_q(actor, key)) for key, _ in QUEUES})


def inbox_list(actor: Actor, queue: str, limit: int = 100) -> list[Conversation]:
    """A queue's conversations: the nearest deadline first, then the most recent."""
    actor.require("view")
    convs = list(
        Conversation.objects.in_workspace(actor.workspace)
        .filter(_queue_q(actor, queue))
        .select_related("contact", "assignee", "channel")
        .prefetch_related(
            "tags",
            Prefetch("contact__identities", queryset=Identity.objects.order_by("network")),
        )
        .order_by(
            F("first_response_due_at").asc(nulls_last=True),
            F("next_response_due_at").asc(nulls_last=True),
            F("last_message_at").desc(nulls_last=True),
        )[:limit]
    )
    return _with_snippets(convs)


def _with_snippets(convs: list[Conversation]) -> list[Conversation]:
    """Attach the latest customer message to each conversation (one query)."""
    latest: dict[int, Message] = {}
    for m in (
        Message.objects.filter(conversation__in=convs, direction="in")
        .order_by("conversation_id", "-posted_at")
        .only("conversation_id", "text", "sentiment_label", "author_handle", "posted_at")
    ):
        latest.setdefault(m.conversation_id, m)
    for c in convs:
        c.latest = latest.get(c.pk)
    return convs


def conversation_get(actor: Actor, conversation_id: int) -> Conversation:
    """One conversation of the actor's workspace with its thread, notes and customer."""
    actor.require("view")
    conv = (
        Conversation.objects.in_workspace(actor.workspace)
        .select_related("contact", "assignee", "channel")
        .prefetch_related("tags")
        .get(pk=conversation_id)
    )
    conv.thread = list(conv.messages.select_related("sent_by").order_by("posted_at", "pk"))
    conv.note_list = list(
        Note.objects.filter(conversation=conv).select_related("author").order_by("pk")
    )
    if conv.contact_id:
        conv.identity_list = list(conv.contact.identities.order_by("network"))
        conv.past = list(
            Conversation.objects.filter(contact_id=conv.contact_id)
            .exclude(pk=conv.pk)
            .order_by("-last_message_at")[:10]
        )
    else:
        conv.identity_list, conv.past = [], []
    return conv


def canned_for(actor: Actor) -> list[CannedResponse]:
    return list(CannedResponse.objects.in_workspace(actor.workspace).order_by("name"))
