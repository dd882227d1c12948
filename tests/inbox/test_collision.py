"""Collision detection: agents on the same conversation see each other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import factories as f
from beancan.inbox.collision import viewer_heartbeat, viewers
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, ConversationViewer
from beancan.realtime.models import Event

pytestmark = pytest.mark.django_db


def test_viewing_typing_leaving_and_going_stale():
    ws = f.workspace("acme")
    ingest(f.channel(ws), [f.msg("1", author="rita")])
    conv = Conversation.objects.get()
    ann, ben = f.user("ann", ws=ws), f.user("ben", ws=ws)
    viewer_heartbeat(f.actor(ws, ann), conv, typing=False)
    viewer_heartbeat(f.actor(ws, ben), conv, typing=True)
    assert viewers(conv) == [{"user": "ann", "typing": False}, {"user": "ben", "typing": True}]
    changes = Event.objects.filter(type="conversation.viewers").count()
    viewer_heartbeat(f.actor(ws, ann), conv, typing=False)  # nothing changed: no event
    assert Event.objects.filter(type="conversation.viewers").count() == changes
    viewer_heartbeat(f.actor(ws, ben), conv, typing=False, leaving=True)
    assert viewers(conv) == [{"user": "ann", "typing": False}]
    ConversationViewer.objects.update(seen_at=conv.created_at - timedelta(minutes=5))
    assert viewers(conv) == []


def test_the_heartbeat_answers_who_else_is_there_and_refuses_strangers():
    ws = f.workspace("acme")
    ingest(f.channel(ws), [f.msg("1", author="rita")])
    conv = Conversation.objects.get()
    ann, ben = f.user("ann", ws=ws), f.user("ben", ws=ws)
    viewer_heartbeat(f.actor(ws, ben), conv, typing=True)
    client = Client()
    client.force_login(ann)
    html = client.post(f"/w/acme/c/{conv.pk}/heartbeat", {"typing": "0"}).content.decode()
    assert "ben</strong> is replying" in html and "ann" not in html
    other = f.workspace("other")
    stranger = Client()
    stranger.force_login(f.user("sam", ws=other))
    assert stranger.post(f"/w/acme/c/{conv.pk}/heartbeat").status_code == 403


def test_a_heartbeat_keeps_to_a_query_budget():
    """Half of what an agent's page sends is heartbeats: a fixed, small number of statements."""
    ws = f.workspace("acme")
    ingest(f.channel(ws), [f.msg("1", author="rita")])
    conv = Conversation.objects.get()
    ann = f.user("ann", ws=ws)
    client = Client()
    client.force_login(ann)
    client.post(f"/w/acme/c/{conv.pk}/heartbeat", {"typing": "0"})
    for typing in ("0", "1"):  # unchanged (no event), then changed (an event)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.post(f"/w/acme/c/{conv.pk}/heartbeat", {"typing": typing}).status_code == 200
            )
        statements = [
            q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]
        # session, user, membership, the conversation, viewers before, the upsert, viewers
        # after, and for a change the event (SQLite: no advisory lock or NOTIFY)
        assert len(statements) <= (7 if typing == "0" else 10), statements
    assert ConversationViewer.objects.get().typing is True
