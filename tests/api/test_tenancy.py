"""A token of one workspace reads and changes nothing of another, through any endpoint."""

from __future__ import annotations

import pytest
from test_endpoints import WHEN, Api

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import CannedResponse, Contact, Conversation, Message, Note, Tag
from beancan.workspaces.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Workspace B with data; a supervisor token of workspace A."""
    a, b = f.workspace("alpha"), f.workspace("beta")
    f.channel(a, name="web")
    b_channel = f.channel(b, name="web")
    ingest(b_channel, [f.msg("b1", author="secret_customer", text="private matter @brand")])
    conv = Conversation.objects.get(workspace=b)
    canned = CannedResponse.objects.create(workspace=b, name="b-canned", text="beta text")
    return Api(f.token(a, "supervisor")), conv, canned, Actor.system(b, "test")


def _endpoints(conv, canned):
    c, k = conv.pk, conv.contact_id
    return [
        ("get", f"/conversations/{c}", None),
        ("post", f"/conversations/{c}/assign", {"assignee_id": None}),
        ("post", f"/conversations/{c}/reply", {"text": "hello"}),
        ("post", f"/conversations/{c}/notes", {"text": "note"}),
        ("post", f"/conversations/{c}/tags", {"add": ["x"]}),
        ("post", f"/conversations/{c}/priority", {"priority": "low"}),
        ("post", f"/conversations/{c}/snooze", {"until_reply": True}),
        ("post", f"/conversations/{c}/resolve", None),
        ("post", f"/conversations/{c}/reopen", None),
        ("get", f"/contacts/{k}", None),
        ("post", f"/contacts/{k}/merge", {"other_id": k}),
        ("delete", f"/canned/{canned.pk}", None),
    ]


@pytest.mark.parametrize("index", range(12))
def test_objects_of_another_workspace_are_not_found(two, index):
    api, conv, canned, _ = two
    method, path, body = _endpoints(conv, canned)[index]
    r = (
        api.get(path)
        if method == "get"
        else api.delete(path)
        if method == "delete"
        else (api.post(path, body))
    )
    assert r.status_code == 404, (path, r.status_code, r.content)
    assert b"secret_customer" not in r.content
    conv.refresh_from_db()
    assert conv.status == "open" and conv.priority == "normal" and conv.assignee_id is None
    assert Message.objects.filter(workspace=conv.workspace).count() == 1
    assert not Note.objects.exists() and not Tag.objects.exists()
    assert CannedResponse.objects.filter(pk=canned.pk).exists()
    assert Contact.objects.get(pk=conv.contact_id).merged_into_id is None


def test_lists_metrics_and_ingest_never_cross(two):
    api, conv, _, _ = two
    assert api.get("/conversations").json() == {"count": 0, "items": []}
    assert api.get("/contacts").json() == []
    assert api.get("/canned").json() == []
    assert api.get("/metrics").json()["overall"]["conversations"] == 0
    # Beta's channel is not a channel of alpha's, by id or by name.
    r = api.post(
        "/messages",
        {
            "channel": conv.channel_id,
            "external_id": "x",
            "author": "a",
            "posted_at": WHEN,
            "text": "t",
        },
    )
    assert r.status_code == 400
    assert not Message.objects.filter(external_id="x").exists()
