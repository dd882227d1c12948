"""ingest(): idempotent, threaded, triaged, with facts, deadlines, audit rows and events."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

import factories as f
from beancan.inbox.ingest import IngestError, ingest
from beancan.inbox.models import Contact, Conversation, Identity, Message, Status
from beancan.realtime.models import Event
from beancan.workspaces.models import AuditEvent


@pytest.fixture
def ch(db):
    ws = f.workspace(brands=["brand"])
    return f.channel(ws)


def test_a_message_lands_once_with_contact_sentiment_and_deadline(ch):
    m = f.msg("t1", author="@Alice", text="my flight 1704 is still at the gate, this is awful")
    result = ingest(ch, [m])
    again = ingest(ch, [f.msg("t1", author="@Alice", text="changed text")])
    assert len(result.created) == 1 and again.duplicates == 1 and not again.created
    stored = Message.objects.get()
    assert stored.text.startswith("my flight") and stored.author_handle == "@Alice"
    assert (
        stored.sentiment is not None
        and stored.sentiment < 0
        and stored.sentiment_label == "negative"
    )
    ident = Identity.objects.get()
    assert ident.handle == "alice" and ident.contact.workspace_id == ch.workspace_id
    conv = Conversation.objects.get()
    assert conv.contact_id == ident.contact_id and conv.status == Status.OPEN
    assert conv.customer_initiated and not conv.answered and conv.messages_count == 1
    # Default policy: 24/7, normal priority first response in one hour.
    assert conv.first_response_due_at == m.posted_at + timedelta(hours=1)
    audit = AuditEvent.objects.get(verb="messages.ingested")
    assert audit.data["message_ids"] == [stored.pk] and audit.object_id == ch.pk
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types == ["conversation.created", "message.created", "conversation.updated"]


def test_reply_chain_then_reopen_window_then_new_conversation(ch):
    ingest(ch, [f.msg("a1", author="bob", minutes=0)])
    ingest(
        ch,
        [
            f.msg(
                "b1",
                author="brand",
                direction="out",
                in_reply_to="a1",
                minutes=5,
                text="Hi Bob, sorry about that. Can you DM us your order number? ^JK",
            )
        ],
    )
    ingest(ch, [f.msg("a2", author="bob", minutes=30, text="still nothing")])  # no chain
    ingest(ch, [f.msg("a3", author="bob", minutes=60 * 30, text="new problem")])  # after window
    convs = list(Conversation.objects.order_by("id"))
    assert len(convs) == 2
    first = convs[0]
    assert set(first.messages.values_list("external_id", flat=True)) == {"a1", "b1", "a2"}
    assert first.answered and first.first_response_seconds == 300
    assert first.brand == "brand" and first.named_replies == 1
    # The customer wrote again after the reply: the next-response clock runs from a2.
    assert first.next_response_due_at == f.T0 + timedelta(minutes=30 + 60)
    assert first.first_response_due_at is None


def test_second_customer_message_does_not_restart_the_clock(ch):
    ingest(ch, [f.msg("c1", author="carol", minutes=0)])
    ingest(ch, [f.msg("c2", author="carol", minutes=20, in_reply_to="c1", text="hello??")])
    conv = Conversation.objects.get()
    assert conv.first_response_due_at == f.T0 + timedelta(hours=1)
    assert conv.customer_messages_before_reply == 2


def test_a_customer_message_reopens_a_resolved_conversation_in_its_chain(ch):
    ingest(ch, [f.msg("d1", author="dan")])
    Conversation.objects.update(status=Status.RESOLVED)
    ingest(ch, [f.msg("d2", author="dan", minutes=3, in_reply_to="d1")])
    assert Conversation.objects.get().status == Status.OPEN


def test_unknown_parent_starts_a_conversation_and_network_key_wins(ch):
    ingest(ch, [f.msg("e2", author="eve", in_reply_to="not-here")])
    ingest(ch, [f.msg("e3", author="eve", minutes=1, conversation_key="root-9")])
    ingest(ch, [f.msg("e4", author="zed", minutes=2, conversation_key="root-9")])
    assert Conversation.objects.count() == 2
    keyed = Conversation.objects.get(external_key="root-9")
    assert keyed.messages.count() == 2


def test_bad_fields_are_named(ch):
    blank = f.msg("z")
    blank.external_id = " "
    with pytest.raises(IngestError, match="external_id"):
        ingest(ch, [blank])
    with pytest.raises(IngestError, match="author"):
        ingest(ch, [f.msg("x", author="  ")])
    naive = f.msg("y")
    naive.posted_at = naive.posted_at.replace(tzinfo=None)
    with pytest.raises(IngestError, match="posted_at"):
        ingest(ch, [naive])
    assert Message.objects.count() == 0


def test_a_batch_is_one_transaction(ch):
    good, bad = f.msg("ok1"), f.msg("bad", text=None)
    with pytest.raises(IngestError, match="text"):
        ingest(ch, [good, bad])
    assert Message.objects.count() == 0


def test_workspaces_do_not_share_contacts(db):
    a, b = f.channel(f.workspace()), f.channel(f.workspace())
    ingest(a, [f.msg("1", author="sam")])
    ingest(b, [f.msg("1", author="sam")])  # same id on another workspace's channel: its own
    assert Contact.objects.count() == 2 and Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_store_one_message():
    ws = f.workspace()
    ch = f.channel(ws)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def deliver():
        try:
            barrier.wait()
            ingest(ch, [f.msg("dup-1", author="quinn"), f.msg("dup-2", author="quinn")])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Message.objects.filter(channel=ch).count() == 2
    assert Identity.objects.filter(workspace=ws).count() == 1
    assert Conversation.objects.filter(workspace=ws).count() == 1
