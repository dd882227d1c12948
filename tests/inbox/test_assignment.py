"""Presence and round-robin auto-assignment among online agents with free capacity."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

import factories as f
from beancan.inbox.assignment import auto_assign, presence_set
from beancan.inbox.clock import tick
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Status
from beancan.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def _setup(n_conversations: int):
    ws = f.workspace("acme")
    ws.auto_assign = True
    ws.save()
    ch = f.channel(ws)
    ingest(ch, [f.msg(f"m{i}", author=f"cust{i}", minutes=i) for i in range(n_conversations)])
    agents = [f.user(name, ws=ws) for name in ("ann", "ben", "cat")]
    return ws, agents


def test_only_online_agents_with_room_get_conversations_evenly():
    ws, (ann, ben, cat) = _setup(7)
    presence_set(f.actor(ws, ann), "online")
    presence_set(f.actor(ws, ben), "online")
    presence_set(f.actor(ws, cat), "away")
    Membership.objects.filter(user=ben).update(capacity=2)
    assert auto_assign(ws) == 7  # all fit: ann has room for 10, ben for 2
    loads = {u.username: Conversation.objects.filter(assignee=u).count() for u in (ann, ben, cat)}
    assert loads == {"ann": 5, "ben": 2, "cat": 0}
    # The first conversations (nearest deadline) alternate between the two.
    first_two = Conversation.objects.order_by("first_response_due_at")[:2]
    assert {c.assignee.username for c in first_two} == {"ann", "ben"}
    assert auto_assign(ws) == 0  # nothing left unassigned


def test_nobody_online_means_nothing_assigned_and_resolved_ones_free_capacity():
    ws, (ann, _, _) = _setup(3)
    assert auto_assign(ws) == 0
    presence_set(f.actor(ws, ann), "online")
    Membership.objects.filter(user=ann).update(capacity=1)
    assert auto_assign(ws) == 1
    Conversation.objects.filter(assignee=ann).update(status=Status.RESOLVED)
    assert tick()["assigned"] == 1  # the worker's clock runs it for auto-assigning workspaces


def test_presence_is_validated_and_set_from_the_inbox():
    ws, (ann, _, _) = _setup(1)
    with pytest.raises(ValidationError):
        presence_set(f.actor(ws, ann), "busy")
    client = Client()
    client.force_login(ann)
    assert client.post("/w/acme/presence", {"presence": "away"}).status_code == 302
    assert Membership.objects.get(user=ann).presence == "away"
    page = client.get("/w/acme/").content.decode()
    assert 'class="dot away"' in page and "0/10" in page


def test_auto_assignment_takes_the_queue_order_the_most_urgent_first():
    ws, (ann, _, _) = _setup(3)
    presence_set(f.actor(ws, ann), "online")
    Membership.objects.filter(user=ann).update(capacity=1)
    latest = Conversation.objects.order_by("-first_response_due_at").first()
    Conversation.objects.filter(pk=latest.pk).update(urgency=90)
    assert auto_assign(ws) == 1
    assert Conversation.objects.get(assignee=ann) == latest
