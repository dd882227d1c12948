"""Conversation actions: permissions, effects, audit rows and events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import factories as f
from beancan.inbox import actions
from beancan.inbox.clock import wake_snoozed
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Contact, Conversation, Identity, Status
from beancan.realtime.models import Event
from beancan.workspaces.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    ws = f.workspace()
    ch = f.channel(ws)
    ingest(ch, [f.msg("a", author="pia", text="@brand the app crashes on login")])
    agent = f.user("agent1", ws=ws)
    viewer = f.user("viewer1", ws=ws, role="viewer")
    conv = Conversation.objects.get(workspace=ws)
    return ws, ch, conv, f.actor(ws, agent), f.actor(ws, viewer), agent


def test_assign_tag_note_priority_snooze_resolve_reopen(setup):
    ws, _ch, conv, agent, _viewer, agent_user = setup
    conv = actions.conversation_assign(agent, conv, agent_user)
    assert conv.assignee == agent_user
    assert actions.conversation_tag(agent, conv, add=["bug", "login"]) == ["bug", "login"]
    assert actions.conversation_tag(agent, conv, remove=["bug"]) == ["login"]
    note = actions.note_add(agent, conv, "@agent1 can you check the crash logs?")
    assert list(note.mentions.all()) == [agent_user]
    conv = actions.conversation_set_priority(agent, conv, "high")
    assert conv.priority == "high"
    conv = actions.conversation_snooze(agent, conv, until=timezone.now() + timedelta(hours=1))
    assert conv.status == Status.SNOOZED
    conv = actions.conversation_resolve(agent, conv)
    assert conv.status == Status.RESOLVED
    conv = actions.conversation_reopen(agent, conv)
    assert conv.status == Status.OPEN
    verbs = set(AuditEvent.objects.filter(workspace=ws).values_list("verb", flat=True))
    assert {
        "conversation.assigned",
        "conversation.tagged",
        "note.created",
        "conversation.priority",
        "conversation.snoozed",
        "conversation.resolved",
        "conversation.reopened",
    } <= verbs
    assert Event.objects.filter(workspace=ws, type="note.created").count() == 1


def test_a_viewer_cannot_act_and_nobody_acts_across_workspaces(setup):
    ws, _ch, conv, _agent, viewer, _ = setup
    with pytest.raises(PermissionDenied):
        actions.reply_send(viewer, conv, "hello")
    with pytest.raises(PermissionDenied):
        actions.conversation_resolve(viewer, conv)
    other_ws = f.workspace()
    stranger = f.actor(other_ws, f.user(ws=other_ws, role="admin"))
    with pytest.raises(PermissionDenied):
        actions.note_add(stranger, conv, "peek")
    with pytest.raises(ValidationError, match="assignee"):
        actions.conversation_assign(f.actor(ws, f.user(ws=ws)), conv, f.user(ws=other_ws))


def test_snooze_until_a_time_wakes_and_a_customer_reply_wakes_it_too(setup):
    _ws, ch, conv, agent, _, _ = setup
    actions.conversation_snooze(agent, conv, until=timezone.now() + timedelta(seconds=30))
    Conversation.objects.filter(pk=conv.pk).update(snoozed_until=timezone.now())
    assert wake_snoozed() == 1
    assert Conversation.objects.get(pk=conv.pk).status == Status.OPEN
    actions.conversation_snooze(agent, conv, until_reply=True)
    ingest(ch, [f.msg("b", author="pia", in_reply_to="a", minutes=5, text="any news?")])
    assert Conversation.objects.get(pk=conv.pk).status == Status.OPEN


def test_merging_contacts_moves_identities_and_conversations(setup):
    ws, _ch, _conv, agent, _, _ = setup
    email = f.channel(ws, kind="email")
    ingest(email, [f.msg("e1", author="pia@example.com", text="Same crash, by email")])
    keep = Contact.objects.get(identities__handle="pia")
    other = Contact.objects.get(identities__handle="pia@example.com")
    actions.contact_merge(agent, keep, other)
    assert set(Identity.objects.filter(contact=keep).values_list("handle", flat=True)) == {
        "pia",
        "pia@example.com",
    }
    assert Conversation.objects.filter(contact=keep).count() == 2
    other.refresh_from_db()
    assert other.merged_into == keep
    with pytest.raises(ValidationError):
        actions.contact_merge(agent, keep, other)


def test_move_to_private_posts_a_public_note_then_the_private_message(setup):
    _ws, _ch, conv, agent, _, _ = setup
    from beancan.inbox.models import Contact, Message

    Contact.objects.filter(pk=conv.contact_id).update(name="Pia Lund")
    conv.refresh_from_db()
    public, private = actions.move_to_private(agent, conv, "Could you send me your order number?")
    assert not public.private and public.text.startswith("Hi Pia, we've sent you a private")
    assert private.private and private.text == "Could you send me your order number?"
    assert list(
        Message.objects.filter(conversation=conv, direction="out")
        .order_by("pk")
        .values_list("private", flat=True)
    ) == [False, True]
    with pytest.raises(ValidationError):
        actions.move_to_private(agent, conv, "  ")


def test_the_clock_announces_a_passed_deadline_once(setup):
    from beancan.inbox.clock import announce_breaches

    _ws, ch, conv, _agent, _, _ = setup
    Conversation.objects.filter(pk=conv.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1)
    )
    before = Event.objects.filter(type="conversation.updated").count()
    assert announce_breaches() == 1
    assert announce_breaches() == 0  # once per deadline
    assert Event.objects.filter(type="conversation.updated").count() == before + 1
    # The customer writing again does not move a first-response deadline, nor re-announce it.
    ingest(ch, [f.msg("c", author="pia", in_reply_to="a", minutes=2)])
    conv.refresh_from_db()
    assert conv.sla_breached_at is not None and announce_breaches() == 0
    # A later deadline (here: after the brand answered and the customer wrote again) re-arms it.
    ingest(ch, [f.msg("r", author="brand", direction="out", in_reply_to="c", minutes=3)])
    Conversation.objects.filter(pk=conv.pk).update(next_response_due_at=None)
    ingest(ch, [f.msg("d", author="pia", in_reply_to="r", minutes=60 * 24 * 365 * 5)])
    conv.refresh_from_db()
    assert conv.sla_breached_at is None and conv.next_response_due_at > timezone.now()
