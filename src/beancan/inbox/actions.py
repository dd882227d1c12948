"""Every change to a conversation goes through one of these actions: they check the actor's role,
save, write the audit trail and publish the realtime event in the same transaction, and queue
background work only after commit. Views, the API, the worker and the replay all call them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from beancan.inbox.models import (
    CannedResponse,
    Contact,
    Conversation,
    Direction,
    Identity,
    Message,
    Note,
    Notification,
    Priority,
    SavedView,
    SendState,
    Status,
    Tag,
)
from beancan.inbox.state import due_at, refresh_conversations
from beancan.realtime.events import publish
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Membership

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.+-]+)")
# A canned response's variable left in a reply: {first_name}, {order_id}…
UNFILLED = re.compile(r"\{[a-z_]+\}")


def conversation_event(conv: Conversation) -> dict:
    """The payload of a conversation.updated event."""
    return {
        "conversation_id": conv.pk,
        "status": conv.status,
        "assignee_id": conv.assignee_id,
        "priority": conv.priority,
        "due_at": due_at(conv),
        "urgency": conv.urgency,
    }


def _changed(actor: Actor, conv: Conversation, verb: str, fields: list[str], **data) -> None:
    conv.save(update_fields=fields)
    actor.audit(verb, conv, **data)
    publish(conv.workspace_id, "conversation.updated", conversation_event(conv))


def _locked(actor: Actor, conv: Conversation, action: str = "act") -> Conversation:
    actor.require(action)
    actor.require_same_workspace(conv)
    return Conversation.objects.select_for_update().get(pk=conv.pk)


@transaction.atomic
def conversation_assign(actor: Actor, conv: Conversation, assignee=None, team=None):
    """Assign to a member (or nobody) and optionally a team."""
    conv = _locked(actor, conv)
    if (
        assignee is not None
        and not Membership.objects.filter(workspace_id=conv.workspace_id, user=assignee)
        .exclude(role="viewer")
        .exists()
    ):
        raise ValidationError("assignee: not an agent of this workspace")
    if team is not None and team.workspace_id != conv.workspace_id:
        raise ValidationError("team: not a team of this workspace")
    conv.assignee = assignee
    conv.team = team
    _changed(
        actor,
        conv,
        "conversation.assigned",
        ["assignee", "team"],
        assignee_id=conv.assignee_id,
        team_id=conv.team_id,
    )
    return conv


def _set_status(
    actor: Actor, conv: Conversation, status: str, verb: str
) -> tuple[Conversation, str]:
    """Set the status; returns the conversation and the status it had."""
    conv = _locked(actor, conv)
    before = conv.status
    conv.status = status
    conv.snoozed_until = None
    conv.snooze_until_reply = False
    _changed(actor, conv, verb, ["status", "snoozed_until", "snooze_until_reply"])
    return conv, before


@transaction.atomic
def conversation_resolve(actor: Actor, conv: Conversation) -> Conversation:
    """Resolve; a new resolution (not one already resolved) schedules the follow-up survey if
    the workspace's survey policy asks for one."""
    conv, before = _set_status(actor, conv, Status.RESOLVED, "conversation.resolved")
    if before != Status.RESOLVED:
        from beancan.surveys.actions import survey_schedule

        survey_schedule(actor, conv)
    return conv


@transaction.atomic
def conversation_reopen(actor: Actor, conv: Conversation) -> Conversation:
    return _set_status(actor, conv, Status.OPEN, "conversation.reopened")[0]


@transaction.atomic
def conversation_snooze(
    actor: Actor, conv: Conversation, until: datetime | None = None, until_reply: bool = False
) -> Conversation:
    """Snooze until a time, or until the customer writes (or both, whichever comes first)."""
    if until is None and not until_reply:
        raise ValidationError("until: give a time or until_reply")
    if until is not None and until <= timezone.now():
        raise ValidationError("until: must be in the future")
    conv = _locked(actor, conv)
    conv.status = Status.SNOOZED
    conv.snoozed_until = until
    conv.snooze_until_reply = until_reply
    _changed(
        actor,
        conv,
        "conversation.snoozed",
        ["status", "snoozed_until", "snooze_until_reply"],
        until=until.isoformat() if until else None,
        until_reply=until_reply,
    )
    return conv


@transaction.atomic
def conversation_set_priority(actor: Actor, conv: Conversation, priority: str) -> Conversation:
    if priority not in Priority.values:
        raise ValidationError(f"priority: one of {', '.join(Priority.values)}")
    conv = _locked(actor, conv)
    conv.priority = priority
    conv.save(update_fields=["priority"])
    conv = refresh_conversations(conv.workspace, [conv.pk])[0]  # the deadline depends on it
    actor.audit("conversation.priority", conv, priority=priority)
    publish(conv.workspace_id, "conversation.updated", conversation_event(conv))
    return conv


@transaction.atomic
def conversation_tag(
    actor: Actor, conv: Conversation, add: list[str] = (), remove: list[str] = ()
) -> list[str]:
    """Add and remove tags by name (new names create the tag); returns the tags now on it."""
    conv = _locked(actor, conv)
    for name in add:
        clean = name.strip()
        if not clean or len(clean) > 50:
            raise ValidationError("tags: a tag is 1 to 50 characters")
        tag, _ = Tag.objects.get_or_create(workspace_id=conv.workspace_id, name=clean)
        conv.tags.add(tag)
    if remove:
        conv.tags.remove(*Tag.objects.filter(workspace_id=conv.workspace_id, name__in=remove))
    names = sorted(conv.tags.values_list("name", flat=True))
    _changed(actor, conv, "conversation.tagged", [], tags=names)
    return names


@transaction.atomic
def note_add(actor: Actor, conv: Conversation, text: str) -> Note:
    """A private note for the team; @username mentions of members are recorded."""
    if not text.strip():
        raise ValidationError("text: a note cannot be empty")
    conv = _locked(actor, conv)
    note = Note.objects.create(
        workspace_id=conv.workspace_id,
        conversation=conv,
        author=actor.user,
        text=text,
    )
    names = {m.lower() for m in MENTION.findall(text)}
    if names:
        users = get_user_model().objects.filter(
            memberships__workspace_id=conv.workspace_id, username__in=names
        )
        note.mentions.set(users)
        Notification.objects.bulk_create(
            [Notification(workspace_id=conv.workspace_id, user=u, note=note) for u in users]
        )
    actor.audit("note.created", note, conversation_id=conv.pk)
    publish(
        conv.workspace_id,
        "note.created",
        {"conversation_id": conv.pk, "note_id": note.pk, "author": actor.label, "text": text},
    )
    return note


@transaction.atomic
def reply_send(
    actor: Actor,
    conv: Conversation,
    text: str,
    *,
    private: bool = False,
    idempotency_key: str | None = None,
) -> Message:
    """Store a reply in the outbox; the worker sends it after commit. The same idempotency key
    (from a client retrying) returns the reply already stored instead of a second one."""
    if not text.strip():
        raise ValidationError("text: a reply cannot be empty")
    if unfilled := UNFILLED.findall(text):
        raise ValidationError(f"text: fill in {', '.join(sorted(set(unfilled)))} before sending")
    conv = _locked(actor, conv)
    key = idempotency_key or uuid.uuid4().hex
    if len(key) > 64:
        raise ValidationError("idempotency_key: at most 64 characters")
    existing = Message.objects.filter(conversation=conv, idempotency_key=key).first()
    if existing is not None:
        return existing
    channel = conv.channel
    if channel.max_length and len(text) > channel.max_length and not private:
        raise ValidationError(
            f"text: {len(text)} characters, over this channel's limit of {channel.max_length}"
        )
    last_inbound = conv.messages.filter(direction=Direction.INBOUND).order_by("-posted_at").first()
    now = timezone.now()
    message = Message.objects.create(
        workspace_id=conv.workspace_id,
        channel=channel,
        conversation=conv,
        direction=Direction.OUTBOUND,
        private=private,
        author_handle=channel.handle or channel.name,
        sent_by=actor.user,
        posted_at=now,
        received_at=now,
        text=text,
        in_reply_to=(last_inbound.external_id or "") if last_inbound else "",
        send_state=SendState.QUEUED,
        idempotency_key=key,
        next_attempt_at=now,
    )
    refreshed = refresh_conversations(conv.workspace, [conv.pk])[0]
    actor.audit("reply.queued", message, conversation_id=conv.pk, private=private)
    publish(
        conv.workspace_id,
        "message.created",
        {
            "conversation_id": conv.pk,
            "message_id": message.pk,
            "direction": message.direction,
            "private": private,
            "author": message.author_handle,
            "text": text[:500],
            "posted_at": now.isoformat(),
        },
    )
    publish(conv.workspace_id, "conversation.updated", conversation_event(refreshed))
    from beancan.inbox.tasks import send_outbound

    transaction.on_commit(lambda: send_outbound.enqueue(message.pk))
    return message


@transaction.atomic
def saved_view_create(actor: Actor, name: str, query: str, shared: bool = False) -> SavedView:
    """Save the inbox's current queue and filters under a name (replacing one of that name)."""
    from urllib.parse import parse_qsl, urlencode

    from beancan.inbox.selectors import FILTERS, QUEUES

    actor.require("view")
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationError("name: 1 to 60 characters")
    keep = {"queue", *FILTERS}
    pairs = [(k, v) for k, v in parse_qsl(query) if k in keep and v]
    if dict(pairs).get("queue", "open") not in dict(QUEUES):
        raise ValidationError("queue: not a queue")
    view, _ = SavedView.objects.update_or_create(
        workspace=actor.workspace,
        user=actor.user,
        name=name,
        defaults={"query": urlencode(pairs)[:500], "shared": shared},
    )
    actor.audit("view.saved", view, name=name)
    return view


def notifications_read(actor: Actor) -> int:
    """Mark the actor's mentions in this workspace as seen."""
    return Notification.objects.filter(
        workspace=actor.workspace, user=actor.user, read_at__isnull=True
    ).update(read_at=timezone.now())


HANDOFF_NOTE = "{greeting}we've sent you a private message so we can look into this with you."


@transaction.atomic
def move_to_private(actor: Actor, conv: Conversation, private_text: str) -> tuple[Message, Message]:
    """Public to private: a short public reply saying so, then the private message that opens
    the private thread. Both go through the outbox; returns (public, private)."""
    if not private_text.strip():
        raise ValidationError("text: write the private message first")
    contact = conv.contact
    first = contact.first_name if contact is not None else ""
    note = HANDOFF_NOTE.format(greeting=f"Hi {first}, " if first else "Hi, ")
    public = reply_send(actor, conv, note)
    private = reply_send(actor, conv, private_text, private=True)
    return public, private


@transaction.atomic
def canned_create(actor: Actor, name: str, text: str, shortcut: str = "") -> CannedResponse:
    actor.require("manage")
    name = name.strip()
    if not name or not text.strip():
        raise ValidationError("name and text: required")
    if CannedResponse.objects.filter(workspace=actor.workspace, name=name).exists():
        raise ValidationError("name: a canned response with this name exists")
    canned = CannedResponse.objects.create(
        workspace=actor.workspace, name=name, text=text, shortcut=shortcut
    )
    actor.audit("canned.created", canned, name=canned.name)
    return canned


def check_can_view(actor: Actor, obj) -> None:
    """PermissionDenied unless the actor may see this object."""
    actor.require("view")
    if obj.workspace_id != actor.workspace.pk:
        raise PermissionDenied("not in this workspace")


@transaction.atomic
def contact_merge(actor: Actor, keep: Contact, other: Contact) -> Contact:
    """Merge `other` into `keep`: its identities and conversations move over, empty profile
    fields are filled from it, and it stays behind only as a pointer to `keep`."""
    actor.require("act")
    actor.require_same_workspace(keep)
    actor.require_same_workspace(other)
    if keep.pk == other.pk:
        raise ValidationError("other_id: a contact cannot be merged into itself")
    if other.merged_into_id is not None:
        raise ValidationError("other_id: this contact was already merged")
    Identity.objects.filter(contact=other).update(contact=keep)
    Conversation.objects.filter(contact=other).update(contact=keep)
    Contact.objects.filter(merged_into=other).update(merged_into=keep)
    from beancan.surveys.actions import surveys_move_contact

    surveys_move_contact(keep.pk, other.pk)
    for name in ("name", "bio", "location", "website"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    keep.save()
    other.merged_into = keep
    other.save(update_fields=["merged_into"])
    actor.audit("contact.merged", keep, merged_id=other.pk)
    return keep


@transaction.atomic
def canned_delete(actor: Actor, canned: CannedResponse) -> None:
    actor.require("manage")
    actor.require_same_workspace(canned)
    actor.audit("canned.deleted", canned, name=canned.name)
    canned.delete()
