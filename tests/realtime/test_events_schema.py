"""Every realtime event an action publishes matches its type's schema (realtime.events.SCHEMAS),
every type in SCHEMAS is published by some action, and an event off its schema is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

import factories as f
from beancan.inbox.actions import (
    conversation_assign,
    conversation_reopen,
    conversation_resolve,
    conversation_set_priority,
    conversation_snooze,
    conversation_tag,
    note_add,
    reply_send,
)
from beancan.inbox.collision import viewer_heartbeat
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message, SendState
from beancan.inbox.outbox import send_outbound
from beancan.learning.actions import correction_record, model_rollback
from beancan.realtime.events import SCHEMAS, EventSchemaError, publish, publish_many
from beancan.realtime.models import Event
from netpeer import NetPeer

SECRET = "peer-secret"
UPDATED = ["conversation.updated"]


class Recorder:
    """The events each step wrote, checked against the schema as they are read back."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.last = 0
        self.by_step: dict[str, list[str]] = {}

    def step(self, name: str, fn, *args, **kwargs):
        result = fn(*args, **kwargs)
        rows = list(
            Event.objects.filter(workspace=self.ws, id__gt=self.last)
            .order_by("id")
            .values_list("id", "type", "payload")
        )
        for _, type_, payload in rows:
            assert type_ in SCHEMAS, f"{name}: unknown type {type_}"
            assert set(payload) == SCHEMAS[type_], f"{name}: {type_} keys {sorted(payload)}"
            assert json.loads(json.dumps(payload)) == payload
        if rows:
            self.last = rows[-1][0]
        self.by_step[name] = [t for _, t, _ in rows]
        return result


def _send_until_final(message_id: int) -> str:
    for _ in range(10):
        Message.objects.filter(pk=message_id).update(next_attempt_at=timezone.now())
        state = send_outbound(message_id)
        if state in (SendState.SENT, SendState.FAILED):
            return state
    raise AssertionError(f"message {message_id} still {state}")


@pytest.mark.django_db
def test_every_action_publishes_events_that_match_their_schema_and_every_type_is_used():
    ws = f.workspace()
    agent = f.user(ws=ws)
    actor = f.actor(ws, agent)
    rec = Recorder(ws)
    with NetPeer(SECRET) as peer:
        ch = f.channel(ws, secret=SECRET, config={"send_url": peer.url}, handle="brand")
        rec.step("ingest, new conversation", ingest, ch, [f.msg("e-1", author="maria")])
        conv = Conversation.objects.get(workspace=ws)
        rec.step(
            "ingest, same conversation",
            ingest,
            ch,
            [f.msg("e-2", author="maria", in_reply_to="e-1", minutes=1)],
        )
        sent = rec.step("reply_send", reply_send, actor, conv, "Hi Maria, on it ^BK")
        assert rec.step("send_outbound, sent", _send_until_final, sent.pk) == SendState.SENT
    rec.step("conversation_assign", conversation_assign, actor, conv, assignee=agent)
    rec.step("conversation_set_priority", conversation_set_priority, actor, conv, "high")
    rec.step("conversation_tag", conversation_tag, actor, conv, add=["late", "parcel"])
    rec.step("note_add", note_add, actor, conv, f"@{agent.username} check the tracking")
    rec.step(
        "conversation_snooze",
        conversation_snooze,
        actor,
        conv,
        until=timezone.now() + timedelta(hours=2),
    )
    rec.step("conversation_reopen", conversation_reopen, actor, conv)
    rec.step("conversation_resolve", conversation_resolve, actor, conv)
    rec.step("viewer_heartbeat", viewer_heartbeat, actor, conv, typing=True)
    first = Message.objects.get(external_id="e-1")
    rec.step("correction_record", correction_record, actor, first, "intent", "complaint")
    admin = f.actor(ws, f.user(ws=ws, role="admin"))
    rec.step("model_rollback", model_rollback, admin)
    rec.step("survey answered", _survey_answered, ws, admin)
    Conversation.objects.filter(pk=conv.pk).update(channel=_refusing_channel(ws))
    conv.refresh_from_db()
    failing = rec.step("reply_send, unreachable network", reply_send, actor, conv, "Hello?")
    assert rec.step("send_outbound, failed", _send_until_final, failing.pk) == SendState.FAILED

    assert rec.by_step == {
        "ingest, new conversation": [
            "conversation.created",
            "message.created",
            "conversation.updated",
        ],
        "ingest, same conversation": ["message.created", "conversation.updated"],
        "reply_send": ["message.created", "conversation.updated"],
        "send_outbound, sent": ["message.sent"],
        "conversation_assign": UPDATED,
        "conversation_set_priority": UPDATED,
        "conversation_tag": UPDATED,
        "note_add": ["note.created"],
        "conversation_snooze": UPDATED,
        "conversation_reopen": UPDATED,
        "conversation_resolve": UPDATED,
        "viewer_heartbeat": ["conversation.viewers"],
        "correction_record": ["conversation.updated", "message.triaged"],
        "model_rollback": ["triage.model"],
        "survey answered": [
            "conversation.created",  # the customer writes
            "message.created",
            "conversation.updated",
            "conversation.updated",  # resolved
            "message.created",  # the question, queued
            "conversation.updated",
            "message.created",  # the answer
            "conversation.updated",
            "survey.answered",
        ],
        "reply_send, unreachable network": ["message.created", "conversation.updated"],
        "send_outbound, failed": ["message.failed"],
    }
    produced = {t for types in rec.by_step.values() for t in types}
    assert produced == set(SCHEMAS), f"never published: {sorted(set(SCHEMAS) - produced)}"
    last = Event.objects.filter(workspace=ws).order_by("-id")
    assert last[0].payload["message_id"] == failing.pk and last[0].payload["error"]
    assert Event.objects.exclude(workspace=ws).count() == 0


def _survey_answered(ws, admin):
    """A survey end to end on a conversation of its own: resolve, send, the customer answers."""
    from beancan.surveys.actions import policy_save, survey_send
    from beancan.surveys.models import Survey

    ch = f.channel(ws, handle="brand")
    ingest(ch, [f.msg("s-1", author="sam", text="no signal", author_name="Sam")])
    conv = Conversation.objects.get(channel=ch)
    policy_save(admin, {"csat_enabled": "1", "send_as": "private"})
    conversation_resolve(admin, conv)
    survey_send(Survey.objects.get(conversation=conv).pk)
    ingest(ch, [f.msg("s-2", author="sam", text="5")])


def _refusing_channel(ws):
    # Nothing listens on port 9: every send attempt fails with a connection error.
    return f.channel(ws, secret=SECRET, config={"send_url": "http://127.0.0.1:9/refused"})


GOOD = {"conversation_id": 1, "note_id": 2, "author": "ann", "text": "hi"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("type_", "payload", "message"),
    [
        ("note.deleted", GOOD, "unknown event type 'note.deleted'"),
        ("", {}, "unknown event type ''"),
        ("note.created", {k: v for k, v in GOOD.items() if k != "text"}, "differ from"),
        ("note.created", {**GOOD, "extra": 1}, "differ from"),
        ("conversation.updated", GOOD, "differ from"),
    ],
)
def test_an_event_off_its_schema_is_refused_and_nothing_is_written(type_, payload, message):
    ws = f.workspace()
    with pytest.raises(EventSchemaError, match=message):
        publish(ws.pk, type_, payload)
    # One bad event in a batch refuses the whole batch, before anything is written.
    with pytest.raises(EventSchemaError), transaction.atomic():
        publish_many(ws.pk, [("note.created", GOOD), (type_, payload)])
    assert not Event.objects.exists()
    publish(ws.pk, "note.created", GOOD)
    assert Event.objects.get().payload == GOOD
