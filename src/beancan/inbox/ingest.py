"""`ingest()`: the only way a message comes in, for connectors, the API, the replay and imports.

Idempotent (a channel never stores an external id twice, even under concurrent deliveries),
transactional, and complete: it threads each message, resolves the author's contact, runs triage,
recomputes the conversation facts with the audit's code, sets the SLA deadline, writes the audit
trail and the realtime events, all in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from beancan.inbox.bulk import bulk_insert, bulk_set
from beancan.inbox.models import (
    BrandHandle,
    Channel,
    Contact,
    Conversation,
    Direction,
    Identity,
    Message,
    SendState,
    Status,
)
from beancan.inbox.state import due_at, refresh_conversations
from beancan.inbox.triaging import triage_fields
from beancan.realtime.events import publish_many
from beancan.surveys.answers import SurveyAnswers
from beancan.workspaces.models import AuditEvent

log = logging.getLogger(__name__)
MAX_TEXT = 100_000
RETRIES = 5


class IngestError(ValueError):
    """A message that cannot be ingested; the message names the field."""


@dataclass
class IncomingMessage:
    """A message as a connector, the API or the replay hands it over."""

    external_id: str
    author: str
    posted_at: datetime
    text: str
    direction: str = Direction.INBOUND
    in_reply_to: str = ""
    conversation_key: str | None = None  # the network's own conversation id, if it has one
    private: bool = False
    author_name: str = ""
    author_profile: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    def check(self) -> None:
        """Raise IngestError naming the first bad field."""
        if not isinstance(self.external_id, str) or not self.external_id.strip():
            raise IngestError("external_id: required")
        if len(self.external_id) > 200:
            raise IngestError("external_id: longer than 200 characters")
        if not isinstance(self.author, str) or not self.author.strip().lstrip("@"):
            raise IngestError("author: required")
        if len(self.author) > 200:
            raise IngestError("author: longer than 200 characters")
        if not isinstance(self.posted_at, datetime) or timezone.is_naive(self.posted_at):
            raise IngestError("posted_at: a timezone-aware date and time is required")
        if not isinstance(self.text, str):
            raise IngestError("text: must be a string")
        if len(self.text) > MAX_TEXT:
            raise IngestError(f"text: longer than {MAX_TEXT} characters")
        if self.direction not in (Direction.INBOUND, Direction.OUTBOUND):
            raise IngestError("direction: must be 'in' or 'out'")
        for name in ("external_id", "author", "in_reply_to", "conversation_key"):
            if "\x00" in (getattr(self, name) or ""):
                raise IngestError(f"{name}: contains a NUL character")
        # Stored as UTC; NUL characters cannot be stored as text and carry nothing.
        self.posted_at = self.posted_at.astimezone(UTC)
        self.text = self.text.replace("\x00", "")
        self.author_name = self.author_name.replace("\x00", "")


@dataclass
class IngestResult:
    created: list[Message]
    duplicates: int
    conversations: list[Conversation]


def ingest(channel: Channel, messages: list[IncomingMessage], *, actor: str = "") -> IngestResult:
    """Store new messages of one channel (a batch is one transaction); known ids are skipped."""
    for m in messages:
        m.check()
    # Triage before the transaction: it is pure and the slowest part.
    inbound = [m for m in messages if m.direction == Direction.INBOUND]
    fields = triage_fields(channel.workspace_id, [m.text for m in inbound])
    triage = {id(m): f for m, f in zip(inbound, fields, strict=True)}
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return _ingest(channel, messages, triage, actor)
        except IntegrityError:
            # Another process stored one of these ids, identities or conversation keys first;
            # this attempt was rolled back whole, and the next one sees its rows.
            if attempt == RETRIES - 1:
                raise
            log.info("ingest: concurrent insert on %s, retrying", channel)
    raise AssertionError("unreachable")


def _ingest(channel, messages, triage, actor) -> IngestResult:
    workspace = channel.workspace
    now = timezone.now()
    batch: dict[str, IncomingMessage] = {}
    for m in messages:
        batch.setdefault(m.external_id.strip(), m)
    known = set(
        Message.objects.filter(channel=channel, external_id__in=list(batch)).values_list(
            "external_id", flat=True
        )
    )
    new = sorted(
        ((ext, m) for ext, m in batch.items() if ext not in known),
        key=lambda item: (item[1].posted_at, item[0]),
    )
    duplicates = len(messages) - len(new)
    if not new:
        return IngestResult([], duplicates, [])

    identities = _identities(workspace, channel, [m for _, m in new])
    surveys = SurveyAnswers.open_for(channel, {i.contact_id for i in identities.values()})
    _remember_brand_handles(workspace, [m for _, m in new])
    parents = dict(
        Message.objects.filter(
            channel=channel, external_id__in=[m.in_reply_to for _, m in new if m.in_reply_to]
        ).values_list("external_id", "conversation_id")
    )
    keys = [m.conversation_key for _, m in new if m.conversation_key]
    by_key = {
        c.external_key: c
        for c in Conversation.objects.filter(channel=channel, external_key__in=keys)
    }
    # Conversations touched by this batch, keyed by object: new ones get their ids at the bulk
    # insert below.
    touched: dict[int, Conversation] = {}
    created_convs: list[Conversation] = []
    rows: list[Message] = []
    for ext, m in new:
        ident = identities.get(m.author.lstrip("@").lower()) if m.is_in else None
        contact_id = ident.contact_id if ident else None
        conv = _thread(channel, workspace, m, contact_id, parents, by_key, touched)
        answer = surveys.match(m, contact_id, conv)
        if answer is not None:  # a survey's answer goes to the survey's conversation
            conv = _loaded(answer.survey.conversation, touched)
        if conv is None:
            conv = Conversation(
                workspace=workspace,
                channel=channel,
                contact_id=contact_id,
                external_key=m.conversation_key,
                last_message_at=m.posted_at,
            )
            created_convs.append(conv)
            if m.conversation_key:
                by_key[m.conversation_key] = conv
        touched[id(conv)] = conv
        reopens = answer is None or not answer.keeps_resolved
        if m.is_in and reopens and conv.status in (Status.RESOLVED, Status.SNOOZED, Status.PENDING):
            conv.status = Status.OPEN  # the customer wrote again
            conv.snoozed_until = None
        if m.is_in and conv.contact_id is None:
            conv.contact_id = contact_id
        conv.last_message_at = max(conv.last_message_at or m.posted_at, m.posted_at)
        rows.append(
            Message(
                workspace=workspace,
                channel=channel,
                conversation=conv,
                external_id=ext,
                direction=m.direction,
                private=m.private,
                author=ident,
                author_handle=m.author.strip(),
                posted_at=m.posted_at,
                received_at=now,
                text=m.text,
                raw=m.raw,
                in_reply_to=m.in_reply_to or "",
                send_state=SendState.RECEIVED,
                **triage.get(id(m), {}),
            )
        )
        if answer is not None:
            surveys.stored(answer, rows[-1])
        parents[ext] = conv
    bulk_insert(Conversation, created_convs)
    for row in rows:
        row.conversation = row.conversation  # takes the new conversation's id
    bulk_insert(Message, rows)
    new_ids = {id(c) for c in created_convs}
    existing = [c for k, c in touched.items() if k not in new_ids]
    bulk_set(Conversation, existing, ["status", "snoozed_until", "contact", "last_message_at"])
    refreshed = refresh_conversations(workspace, [c.pk for c in touched.values()])
    _record(workspace, channel, rows, created_convs, refreshed, actor)
    surveys.record()
    return IngestResult(rows, duplicates, refreshed)


IncomingMessage.is_in = property(lambda self: self.direction == Direction.INBOUND)


def _thread(channel, workspace, m, contact_id, parents, by_key, touched):
    """The conversation a new message belongs to, or None for a new one: the network's
    conversation id first, then the reply chain, then the customer's open conversation on this
    channel within the reopen window. A reply whose parent is unknown starts a conversation."""
    if m.conversation_key:
        return by_key.get(m.conversation_key)
    if m.in_reply_to:
        parent = parents.get(m.in_reply_to)
        if parent is None or isinstance(parent, Conversation):
            return parent
        return _loaded(Conversation.objects.get(pk=parent), touched)
    if not m.is_in or contact_id is None:
        return None
    since = m.posted_at - timedelta(seconds=workspace.reopen_window_seconds)
    mine = [
        c
        for c in touched.values()
        if c.contact_id == contact_id
        and c.channel_id == channel.pk
        and c.status != Status.RESOLVED
        and (c.last_message_at or m.posted_at) >= since
    ]
    if mine:
        return max(mine, key=lambda c: c.last_message_at)
    found = (
        Conversation.objects.filter(
            channel=channel, contact_id=contact_id, last_message_at__gte=since
        )
        .exclude(status=Status.RESOLVED)
        .order_by("-last_message_at")
        .first()
    )
    return _loaded(found, touched) if found else None


def _loaded(conv: Conversation, touched: dict) -> Conversation:
    """The batch's own copy of a conversation if it has one (one object per row)."""
    for other in touched.values():
        if other.pk == conv.pk:
            return other
    return conv


def _identities(workspace, channel, messages) -> dict[str, Identity]:
    """The identity (and contact) of every customer author, created when first seen."""
    wanted = {}
    for m in messages:
        if m.is_in:
            wanted.setdefault(m.author.lstrip("@").lower(), m)
    found = {
        i.handle: i
        for i in Identity.objects.filter(
            workspace=workspace, network=channel.kind, handle__in=list(wanted)
        )
    }
    missing = [h for h in wanted if h not in found]
    if missing:
        contacts = [
            Contact(
                workspace=workspace,
                name=wanted[h].author_name,
                bio=str(wanted[h].author_profile.get("bio", ""))[:2000],
                location=str(wanted[h].author_profile.get("location", ""))[:200],
                website=str(wanted[h].author_profile.get("website", ""))[:300],
            )
            for h in missing
        ]
        bulk_insert(Contact, contacts)
        created = [
            Identity(
                workspace=workspace,
                contact=c,
                network=channel.kind,
                handle=h,
                display_name=wanted[h].author_name,
                profile=wanted[h].author_profile,
            )
            for h, c in zip(missing, contacts, strict=True)
        ]
        bulk_insert(Identity, created)
        found.update({i.handle: i for i in created})
    return found


def _remember_brand_handles(workspace, messages) -> None:
    handles = {m.author.strip() for m in messages if not m.is_in}
    if not handles:
        return
    known = set(
        BrandHandle.objects.filter(workspace=workspace, handle__in=handles).values_list(
            "handle", flat=True
        )
    )
    BrandHandle.objects.bulk_create(
        [BrandHandle(workspace=workspace, handle=h) for h in sorted(handles - known)]
    )


def _record(workspace, channel, rows, created_convs, conversations, actor) -> None:
    # One audit row per delivery (a batch), naming every message it stored.
    AuditEvent.objects.create(
        workspace=workspace,
        actor_label=actor or f"channel:{channel.name}",
        verb="messages.ingested",
        object_type="channel",
        object_id=channel.pk,
        data={
            "message_ids": [m.pk for m in rows],
            "new_conversation_ids": [c.pk for c in created_convs],
        },
    )
    events = [
        (
            "conversation.created",
            {"conversation_id": c.pk, "channel_id": channel.pk, "contact_id": c.contact_id},
        )
        for c in created_convs
    ]
    events += [
        (
            "message.created",
            {
                "conversation_id": m.conversation_id,
                "message_id": m.pk,
                "direction": m.direction,
                "private": m.private,
                "author": m.author_handle,
                "text": m.text[:500],
                "posted_at": m.posted_at.isoformat(),
            },
        )
        for m in rows
    ]
    events += [
        (
            "conversation.updated",
            {
                "conversation_id": c.pk,
                "status": c.status,
                "assignee_id": c.assignee_id,
                "priority": c.priority,
                "due_at": due_at(c),
                "urgency": c.urgency,
            },
        )
        for c in conversations
    ]
    publish_many(workspace.pk, events)
