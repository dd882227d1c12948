"""Reads for the inbox pages; they never write. Every query starts from the actor's workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from beancan.inbox.models import (
    QUEUE_ORDER,
    SLA_DUE,
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
# A queue's count reads at most this many rows; above it the page says "1,000+".
COUNT_CAP = 1000


def _queue_q(actor: Actor, queue: str) -> Q:
    soon = timezone.now() + NEAR_DEADLINE
    # One deadline runs at a time (state.py sets the other to None), so "either is due" is
    # the queue-order key being due, which the queue index holds and has statistics for.
    due_soon = Q(LessThanOrEqual(SLA_DUE, soon))
    return {
        "mine": Q(status__in=ACTIVE, assignee=actor.user),
        "unassigned": Q(status=Status.OPEN, assignee__isnull=True),
        "open": Q(status__in=ACTIVE),
        "breaching": Q(status__in=ACTIVE) & due_soon,
        "snoozed": Q(status=Status.SNOOZED),
        "resolved": Q(status=Status.RESOLVED),
    }[queue]


def queue_counts(actor: Actor) -> dict[str, int | None]:
    """The live count of every work queue and the actor's unread mentions, in one query.

    A queue's count stops at COUNT_CAP + 1 (the page shows "1,000+"), so a page view reads at
    most that many index entries per queue however big the backlog; the resolved pile is not
    counted."""
    counted = {
        key: Conversation.objects.in_workspace(actor.workspace)
        .filter(_queue_q(actor, key))
        .order_by()
        .values("pk")[: COUNT_CAP + 1]
        for key, _ in QUEUES
        if key != "resolved"
    }
    counted["mentions"] = Notification.objects.filter(
        workspace=actor.workspace, user=actor.user, read_at__isnull=True
    ).values("pk")
    counts: dict[str, int | None] = _count_each(counted)
    counts["resolved"] = None
    return counts


def _count_each(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """How many rows each queryset has, as one SELECT of one scalar subquery per queryset."""
    parts, params = [], []
    for key, qs in querysets.items():
        inner, inner_params = qs.query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({inner}) AS q) AS {key}")
        params.extend(inner_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


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
        # EXISTS rather than a join: no duplicate rows, so no DISTINCT over the whole queue.
        q &= Exists(
            Conversation.tags.through.objects.filter(conversation_id=OuterRef("pk"), tag__name=v)
        )
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


@dataclass(slots=True)
class QueueRow:
    """One row of a queue: what the row shows, read as plain values (no model instances)."""

    pk: int
    status: str
    brand: str
    urgency: int
    urgency_reasons: list
    intent: str
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    last_message_at: datetime | None
    contact_id: int | None
    contact_name: str
    assignee_id: int | None
    assignee_username: str
    latest: dict | None = None  # the customer's latest message: text, sentiment_label
    handles: list = field(default_factory=list)  # the contact's handles, by network


# What a queue row shows (inbox/rendering.py), in QueueRow's order; nothing else is read.
QUEUE_ROW_FIELDS = (
    "id",
    "status",
    "brand",
    "urgency",
    "urgency_reasons",
    "intent",
    "first_response_due_at",
    "next_response_due_at",
    "last_message_at",
    "contact_id",
    "contact__name",
    "assignee_id",
    "assignee__username",
)


def inbox_list(
    actor: Actor, queue: str, filters: dict[str, str] | None = None, limit: int = 100
) -> list[QueueRow]:
    """A queue's conversations, filtered: the most urgent first, then the nearest deadline
    (the resolved queue: the latest first). Each has `handles` (its contact's, by network) and
    `latest` (the customer's latest message: text and sentiment_label, or None)."""
    actor.require("view")
    order = (F("last_message_at").desc(), F("id").desc()) if queue == "resolved" else QUEUE_ORDER
    latest_in = (
        Message.objects.filter(conversation_id=OuterRef("pk"), direction="in")
        .order_by("-posted_at", "-pk")
        .values("pk")[:1]
    )
    rows = [
        QueueRow(*values[:10], values[10] or "", values[11], values[12] or "")
        for values in Conversation.objects.in_workspace(actor.workspace)
        .filter(_queue_q(actor, queue))
        .filter(_filters_q(filters or {}))
        .order_by(*order)
        .values_list(*QUEUE_ROW_FIELDS)[:limit]
    ]
    # The latest customer message of each row, found through the (conversation, posted_at)
    # index one row at a time; only the shown rows are looked at.
    latest_ids = (
        Conversation.objects.filter(pk__in=[r.pk for r in rows])
        .annotate(latest_id=Subquery(latest_in))
        .values("latest_id")
    )
    latest = {
        m["conversation_id"]: m
        for m in Message.objects.filter(pk__in=latest_ids)
        .values("conversation_id", "text", "sentiment_label")
        .order_by()
    }
    handles: dict[int, list[str]] = {}
    for contact_id, handle in (
        Identity.objects.filter(contact_id__in={r.contact_id for r in rows if r.contact_id})
        .order_by("network", "pk")
        .values_list("contact_id", "handle")
    ):
        handles.setdefault(contact_id, []).append(handle)
    for r in rows:
        r.latest = latest.get(r.pk)
        r.handles = handles.get(r.contact_id, [])
    return rows


def conversation_get(actor: Actor, conversation_id: int) -> Conversation:
    """One conversation of the actor's workspace with its thread, notes and customer."""
    actor.require("view")
    conv = (
        Conversation.objects.in_workspace(actor.workspace)
        .select_related("contact", "assignee", "channel")
        .prefetch_related("tags")
        .get(pk=conversation_id)
    )
    from beancan.learning.models import Correction

    def corrected(field: str):
        return Exists(Correction.objects.filter(message_id=OuterRef("pk"), field=field))

    # Which labels an agent corrected, in the thread's own query.
    conv.thread = list(
        conv.messages.select_related("sent_by")
        .annotate(sentiment_corrected=corrected("sentiment"), intent_corrected=corrected("intent"))
        .order_by("posted_at", "pk")
    )
    for m in conv.thread:
        m.corrected = {
            f
            for f, done in (("sentiment", m.sentiment_corrected), ("intent", m.intent_corrected))
            if done
        }
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


def filter_choices(actor: Actor, channels: bool = True, agents: list | None = None) -> dict:
    """What the queue filters offer: the workspace's channels (unless not wanted), tags and
    agents (pass `assignment.agent_loads` when the page has them already: one query fewer)."""
    from beancan.inbox.models import Channel, Tag
    from beancan.workspaces.models import Membership

    ws = actor.workspace
    if agents is None:
        agent_pairs = list(
            Membership.objects.filter(workspace=ws)
            .exclude(role="viewer")
            .order_by("user__username")
            .values_list("user__pk", "user__username")
        )
    else:  # the same members in the same order (see agent_loads)
        agent_pairs = [(m.user_id, m.user.get_username()) for m in agents]
    return {
        "channels": list(
            Channel.objects.in_workspace(ws).order_by("name").values_list("pk", "name")
        )
        if channels
        else [],
        "tags": list(Tag.objects.in_workspace(ws).order_by("name").values_list("name", flat=True)),
        "agents": agent_pairs,
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
