"""Urgency in the live service: set at ingest from the waiting customer's messages, ordered by in
the queue, and raised by the clock as the wait grows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

import factories as f
from beancan.inbox.actions import reply_send
from beancan.inbox.clock import refresh_urgency
from beancan.inbox.ingest import IncomingMessage, ingest
from beancan.inbox.models import Conversation, Message
from beancan.realtime.models import Event

pytestmark = pytest.mark.django_db


def _msg(ext, author, text, ago_minutes=1.0):
    return IncomingMessage(
        external_id=ext,
        author=author,
        posted_at=timezone.now() - timedelta(minutes=ago_minutes),
        text=text,
    )


def test_urgency_orders_safety_above_a_thank_you_and_explains_why():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="web", handle="brand")
    ingest(ch, [_msg("a", "happy", "@brand thanks, the new app is lovely")])
    ingest(
        ch, [_msg("b", "scared", "@brand the charger caught fire and there is smoke everywhere")]
    )
    happy = Conversation.objects.get(messages__external_id="a")
    scared = Conversation.objects.get(messages__external_id="b")
    assert scared.urgency > happy.urgency
    assert any("fire" in r or "smoke" in r for r in scared.urgency_reasons)
    assert scared.urgency_next_at is not None
    agent = f.actor(ws, f.user("agnes", ws=ws))
    from beancan.inbox.selectors import inbox_list

    assert [c.pk for c in inbox_list(agent, "open")][:1] == [scared.pk]
    # Answered: nothing waits, so nothing is urgent.
    reply_send(agent, scared, "So sorry! Please unplug it and step away; we are calling you now.")
    scared.refresh_from_db()
    assert scared.urgency == 0 and scared.urgency_reasons == [] and scared.urgency_next_at is None


def test_the_clock_raises_urgency_as_the_wait_grows():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="web", handle="brand")
    ingest(ch, [_msg("a", "rita", "@brand my order has not arrived", ago_minutes=1)])
    conv = Conversation.objects.get(messages__external_id="a")
    before = conv.urgency
    # Five hours later (moved back in time rather than waiting), the recheck is due.
    Message.objects.filter(conversation=conv).update(posted_at=timezone.now() - timedelta(hours=5))
    Conversation.objects.filter(pk=conv.pk).update(
        waiting_since=timezone.now() - timedelta(hours=5), urgency_next_at=timezone.now()
    )
    assert refresh_urgency() == 1
    conv.refresh_from_db()
    assert conv.urgency > before
    assert any("wait" in r.lower() for r in conv.urgency_reasons)
    assert conv.urgency_next_at > timezone.now() + timedelta(minutes=30)
    ev = Event.objects.filter(type="conversation.updated").last()
    assert ev.payload["conversation_id"] == conv.pk and ev.payload["urgency"] == conv.urgency
    assert refresh_urgency() == 0  # not due again yet
