"""The bulk writers ingest relies on: bulk_insert (COPY on PostgreSQL) and bulk_set."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

import factories as f
from beancan.inbox.bulk import bulk_insert, bulk_set
from beancan.inbox.models import Contact, Conversation, Identity, Message
from beancan.realtime.events import publish_many
from beancan.realtime.models import Event


@pytest.fixture
def ws(db):
    return f.workspace()


def test_bulk_insert_gives_keys_in_order_and_takes_keys_of_related_rows_saved_since(ws):
    contacts = [Contact(workspace=ws, name=f"Customer {i}") for i in range(3)]
    # Identities built before their contacts have keys, as an unsaved relation.
    identities = [
        Identity(workspace=ws, contact=c, network="webhook", handle=f"c{i}", profile={"bio": "é"})
        for i, c in enumerate(contacts)
    ]
    bulk_insert(Contact, contacts)
    bulk_insert(Identity, identities)
    keys = [c.pk for c in contacts]
    assert all(keys) and keys == sorted(keys)
    assert list(Contact.objects.order_by("pk").values_list("name", flat=True)) == [
        "Customer 0",
        "Customer 1",
        "Customer 2",
    ]
    stored = {i.handle: (i.contact_id, i.profile) for i in Identity.objects.all()}
    assert stored == {f"c{i}": (keys[i], {"bio": "é"}) for i in range(3)}
    assert not contacts[0]._state.adding
    assert Contact.objects.get(pk=keys[0]).created_at is not None  # auto_now_add applied


def test_bulk_insert_of_a_duplicate_raises_integrity_error_and_keeps_nothing(ws):
    ch = f.channel(ws)
    conv = Conversation.objects.create(workspace=ws, channel=ch)

    def message(ext: str) -> Message:
        return Message(
            workspace=ws, channel=ch, conversation=conv, external_id=ext, direction="in",
            author_handle="@a", posted_at=f.T0, received_at=f.T0, text="x",
        )  # fmt: skip

    bulk_insert(Message, [message("m1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Message, [message("m2"), message("m1")])
    assert list(Message.objects.values_list("external_id", flat=True)) == ["m1"]


def test_bulk_set_updates_each_row_inside_or_outside_a_transaction(ws):
    ch = f.channel(ws)
    convs = [Conversation.objects.create(workspace=ws, channel=ch) for _ in range(3)]
    for i, c in enumerate(convs):
        c.brand, c.urgency, c.urgency_reasons = f"brand{i}", 10 * i, [f"reason {i}"]
    bulk_set(Conversation, convs, ["brand", "urgency", "urgency_reasons"])  # autocommit
    with transaction.atomic():  # twice in one transaction: the scratch table is made anew
        convs[0].brand = "again"
        bulk_set(Conversation, convs[:1], ["brand"])
        bulk_set(Conversation, convs[1:], ["urgency"])
    got = list(
        Conversation.objects.order_by("pk").values_list("brand", "urgency", "urgency_reasons")
    )
    assert got == [("again", 0, ["reason 0"]), ("brand1", 10, ["reason 1"]),
                   ("brand2", 20, ["reason 2"])]  # fmt: skip


def test_published_events_keep_their_order_and_payloads(ws):
    with transaction.atomic():
        publish_many(ws.pk, [("triage.model", {"model": f"m{i}", "active": i % 2 == 0})
                             for i in range(5)])  # fmt: skip
    events = list(Event.objects.filter(workspace=ws).order_by("pk"))
    assert [e.payload for e in events] == [
        {"model": f"m{i}", "active": i % 2 == 0} for i in range(5)
    ]
    assert all(e.type == "triage.model" and e.created_at for e in events)
