"""Reads for the inbox pages; they never write. Every query starts from the actor's workspace."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from beancan.inbox.models import (
    CannedResponse,
    Conversation,
    Identity,
    Message,
    Note,
    Notification,
    SavedView,
    Status,
)
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
    """The live count of every queue, in one query, and the actor's unread mentions."""
    # Only conversations still in play are counted, through the (workspace, status, due) index:
    # the resolved pile grows without end and is not a queue anyone works down.
    qs = Conversation.objects.in_workspace(actor.workspace).filter(
        status__in=(Status.OPEN, Status.PENDING, Status.SNOOZED)
    )
    counts = qs.aggregate(
        **{key: Count("pk", filter=_queue_q(actor, key)) for key, _ in QUEUES if key != "resolved"}
    )
    counts["resolved"] = None
    counts["mentions"] = Notification.objects.filter(
        workspace=actor.workspace, user=actor.user, read_at__isnull=True
    ).count()
    return counts


def saved_views(actor: Actor) -> list[SavedView]:
    """The actor's saved views and those shared with the team."""
    return list(
        SavedView.objects.filter(workspace=actor.workspace)
        .filter(Q(user=actor.user) | Q(shared=True))
        .order_by("name")
    )


def sentiment_trend(conv: Conversation) -> list[tuple[int, float]]:
    """The customer's first-message sentiment over their last conversations, oldest first."""
    if not conv.contact_id:
        return []
    rows = (
        Conversation.objects.filter(contact_id=conv.contact_id, first_sentiment__isnull=False)
        .order_by("-first_inbound_at")
        .values_list("pk", "first_sentiment")[:12]
    )
    return list(reversed(rows))


def mentions_list(actor: Actor, limit: int = 100) -> list[Notification]:
    """The notes that @mention the actor, newest first."""
    return list(
        Notification.objects.filter(workspace=actor.workspace, user=actor.user)
        .select_related("note__author", "note__conversation")
        .order_by("-pk")[:limit]
    )


FILTERS = ("q", "channel", "sentiment", "intent", "language", "tag", "priority", "assignee")


def _filters_q(filters: dict[str, str]) -> Q:
    q = Q()
    if v := filters.get("channel"):
        q &= Q(channel_id=int(v)) if v.isdigit() else Q(pk__in=[])
    if v := filters.get("sentiment"):
        # The customer's first message's label, as the facts keep it.
        bounds = {"negative": Q(first_sentiment__lt=-0.05), "positive": Q(first_sentiment__gt=0.05)}
        q &= bounds.get(v, Q(first_sentiment__gte=-0.05, first_sentiment__lte=0.05))
    if v := filters.get("tag"):
        q &= Q(tags__name=v)
    if v := filters.get("priority"):
        q &= Q(priority=v)
    if v := filters.get("intent"):
        q &= Q(intent=v)
    if v := filters.get("language"):
        q &= Q(language=v)
    if v := filters.get("q"):
        q &= Q(pk__in=Message.objects.filter(text__icontains=v).values("conversation_id"))
    if v := filters.get("assignee"):
        q &= Q(assignee__isnull=True) if v == "none" else Q(assignee__username=v)
    return q


def inbox_list(
    actor: Actor, queue: str, filters: dict[str, str] | None = None, limit: int = 100
) -> list[Conversation]:
    """A queue's conversations, filtered: the most urgent first, then the nearest deadline, then
    the most recent."""
    actor.require("view")
    convs = list(
        Conversation.objects.in_workspace(actor.workspace)
        .filter(_queue_q(actor, queue))
        .filter(_filters_q(filters or {}))
        .distinct()
        .select_related("contact", "assignee", "channel")
        .prefetch_related(
            "tags",
            Prefetch("contact__identities", queryset=Identity.objects.order_by("network")),
        )
        .order_by(
            F("urgency").desc(),
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
    conv.thread = list(
        conv.messages.select_related("sent_by")
        .prefetch_related("corrections")
        .order_by("posted_at", "pk")
    )
    for m in conv.thread:
        m.corrected = {c.field for c in m.corrections.all()}
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


def filter_choices(actor: Actor) -> dict[str, list]:
    """What the queue filters offer: the workspace's channels, tags and agents."""
    from beancan.inbox.models import Channel, Tag
    from beancan.workspaces.models import Membership

    ws = actor.workspace
    return {
        "channels": list(
            Channel.objects.in_workspace(ws).order_by("name").values_list("pk", "name")
        ),
        "tags": list(Tag.objects.in_workspace(ws).order_by("name").values_list("name", flat=True)),
        "agents": list(
            Membership.objects.filter(workspace=ws)
            .exclude(role="viewer")
            .order_by("user__username")
            .values_list("user__pk", "user__username")
        ),
    }


def recent_replies(actor: Actor, conv: Conversation, limit: int = 200) -> list[str]:
    """The brand's latest replies on the conversation's channel (for the canned warning)."""
    return list(
        Message.objects.filter(channel_id=conv.channel_id, direction="out")
        .order_by("-posted_at")
        .values_list("text", flat=True)[:limit]
    )


def canned_for(actor: Actor) -> list[CannedResponse]:
    return list(CannedResponse.objects.in_workspace(actor.workspace).order_by("name"))
