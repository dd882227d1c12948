"""The JSON API: every endpoint's effect, roles, and clear 4xx errors for bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

import factories as f
from beancan.inbox.models import CannedResponse, Conversation, Message, SendState
from beancan.workspaces.models import AuditEvent

pytestmark = pytest.mark.django_db
WHEN = "2026-11-02T09:00:00+00:00"


class Api:
    def __init__(self, token: str | None, **extra):
        self.client = Client(**extra)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get("/api" + path, params, **self.headers)

    def post(self, path, body=None, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post(
            "/api" + path, data, content_type="application/json", **self.headers
        )

    def delete(self, path):
        return self.client.delete("/api" + path, **self.headers)


@pytest.fixture
def world():
    ws = f.workspace("acme")
    f.channel(ws, name="web", handle="acmehelp", max_length=280)
    agent = f.user("agnes", ws=ws)
    return ws, agent, Api(f.token(ws, "agent")), Api(f.token(ws, "viewer"))


def _ingest(api: Api, ext="m1", author="rita", **extra):
    body = {"channel": "web", "external_id": ext, "author": author, "posted_at": WHEN}
    body |= {"text": "@acmehelp my order 1234 never arrived"} | extra
    return api.post("/messages", body)


def test_ingest_one_and_a_batch_and_duplicates(world):
    ws, _, api, _ = world
    r = _ingest(api)
    assert r.status_code == 200, r.content
    first = r.json()
    assert len(first["created"]) == 1 and first["duplicates"] == 0
    again = _ingest(api)
    assert again.json() == {"created": [], "duplicates": 1, "conversations": []}
    batch = api.post(
        "/messages/batch",
        {
            "channel": "web",
            "messages": [
                {
                    "external_id": "m2",
                    "author": "rita",
                    "posted_at": WHEN,
                    "text": "hello?",
                    "in_reply_to": "m1",
                },
                {"external_id": "m3", "author": "sam", "posted_at": WHEN, "text": "hi"},
            ],
        },
    )
    assert batch.status_code == 200 and len(batch.json()["created"]) == 2
    assert Message.objects.filter(workspace=ws).count() == 3
    assert Conversation.objects.filter(workspace=ws).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "web", "author": "x", "posted_at": WHEN, "text": "t"}, "external_id"),
        ({"channel": "web", "external_id": "1", "author": "x", "text": "t"}, "posted_at"),
        (
            {
                "channel": "web",
                "external_id": "1",
                "author": "x",
                "posted_at": "yesterday",
                "text": "t",
            },
            "posted_at",
        ),
        (
            {
                "channel": "web",
                "external_id": "1",
                "author": "x",
                "posted_at": "2026-11-02T09:00",
                "text": "t",
            },
            "posted_at",
        ),
        (
            {"channel": "nope", "external_id": "1", "author": "x", "posted_at": WHEN, "text": "t"},
            "channel",
        ),
        (
            {
                "channel": "web",
                "external_id": "1",
                "author": "x",
                "posted_at": WHEN,
                "text": "t",
                "direction": "sideways",
            },
            "direction",
        ),
    ],
)
def test_bad_messages_get_400_naming_the_field(world, body, field):
    r = world[2].post("/messages", body)
    assert r.status_code == 400
    assert field in r.json()["detail"]
    assert Message.objects.count() == 0


def test_malformed_json_oversized_body_and_too_big_batch(world, settings):
    api = world[2]
    r = api.post("/messages", raw=b"{not json")
    assert r.status_code == 400 and "detail" in r.json()
    many = [
        {"external_id": str(i), "author": "x", "posted_at": WHEN, "text": "t"} for i in range(1001)
    ]
    r = api.post("/messages/batch", {"channel": "web", "messages": many})
    assert r.status_code == 400 and "messages" in r.json()["detail"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = _ingest(api, text="x" * 2000)
    assert r.status_code == 413


def test_no_token_or_a_bad_token_is_401(world):
    assert Api(None).get("/conversations").status_code == 401
    assert Api("bc_not-a-token").get("/conversations").status_code == 401


def test_conversations_list_filter_get_and_every_action(world):
    ws, agent, api, viewer = world
    _ingest(api, "a1", "rita")
    _ingest(api, "b1", "sam", text="love the new app")
    conv = Conversation.objects.get(messages__external_id="a1")
    listing = api.get("/conversations", status="open")
    assert listing.status_code == 200 and listing.json()["count"] == 2
    assert api.get("/conversations", q="never arrived").json()["count"] == 1
    assert api.get("/conversations", limit=0).status_code == 400
    one = api.get(f"/conversations/{conv.pk}").json()
    assert [m["external_id"] for m in one["messages"]] == ["a1"]
    assert one["contact"]["handles"] == ["rita"] and one["due_at"]

    r = api.post(f"/conversations/{conv.pk}/assign", {"assignee_id": agent.pk})
    assert r.status_code == 200 and r.json()["assignee_id"] == agent.pk
    assert api.get("/conversations", assignee=str(agent.pk)).json()["count"] == 1
    r = api.post(f"/conversations/{conv.pk}/reply", {"text": "Hi Rita, so sorry! ^AG"})
    assert r.status_code == 200 and r.json()["send_state"] == SendState.QUEUED
    assert api.post(f"/conversations/{conv.pk}/reply", {"text": "x" * 281}).status_code == 400
    r = api.post(f"/conversations/{conv.pk}/notes", {"text": "@agnes check the courier"})
    assert r.status_code == 200
    r = api.post(f"/conversations/{conv.pk}/tags", {"add": ["delivery"]})
    assert r.json() == {"tags": ["delivery"]}
    assert api.get("/conversations", tag="delivery").json()["count"] == 1
    r = api.post(f"/conversations/{conv.pk}/priority", {"priority": "urgent"})
    assert r.json()["priority"] == "urgent"
    assert api.post(f"/conversations/{conv.pk}/priority", {"priority": "asap"}).status_code == 400
    r = api.post(f"/conversations/{conv.pk}/snooze", {"until_reply": True})
    assert r.json()["status"] == "snoozed"
    assert api.post(f"/conversations/{conv.pk}/snooze", {}).status_code == 400
    assert api.post(f"/conversations/{conv.pk}/resolve").json()["status"] == "resolved"
    assert api.post(f"/conversations/{conv.pk}/reopen").json()["status"] == "open"
    assert AuditEvent.objects.filter(workspace=ws, actor_label__startswith="token:").count() >= 7

    # A viewer reads but does not act.
    assert viewer.get(f"/conversations/{conv.pk}").status_code == 200
    for path, body in [("reply", {"text": "hi"}), ("resolve", None), ("notes", {"text": "n"})]:
        assert viewer.post(f"/conversations/{conv.pk}/{path}", body).status_code == 403
    assert _ingest(viewer, "v1").status_code == 403


def test_contacts_and_merge(world):
    ws, _, api, _ = world
    _ingest(api, "a1", "rita")
    f.channel(ws, kind="email", name="mail")
    api.post(
        "/messages",
        {
            "channel": "mail",
            "external_id": "e1",
            "author": "rita@example.com",
            "posted_at": WHEN,
            "text": "same problem",
        },
    )
    contacts = api.get("/contacts").json()
    assert len(contacts) == 2
    keep, other = contacts[0]["id"], contacts[1]["id"]
    assert len(api.get("/contacts", q="rita@").json()) == 1
    r = api.post(f"/contacts/{keep}/merge", {"other_id": other})
    assert r.status_code == 200 and len(r.json()["identities"]) == 2
    assert len(api.get(f"/contacts/{keep}").json()["conversation_ids"]) == 2
    assert api.post(f"/contacts/{keep}/merge", {"other_id": keep}).status_code == 400


def test_canned_responses_need_a_supervisor_to_change(world):
    ws, _, agent_api, _ = world
    lead = Api(f.token(ws, "supervisor"))
    body = {"name": "late parcel", "text": "Hi {first_name}, sorry for the wait!"}
    assert agent_api.post("/canned", body).status_code == 403
    r = lead.post("/canned", body)
    assert r.status_code == 200
    assert lead.post("/canned", body).status_code == 400  # same name
    assert [c["name"] for c in agent_api.get("/canned").json()] == ["late parcel"]
    assert agent_api.delete(f"/canned/{r.json()['id']}").status_code == 403
    assert lead.delete(f"/canned/{r.json()['id']}").status_code == 204
    assert not CannedResponse.objects.exists()


def test_metrics_for_a_time_range(world):
    api = world[2]
    _ingest(api, "a1", "rita")
    r = api.get("/metrics", since="2026-11-01T00:00:00Z")
    assert r.status_code == 200 and r.json()["overall"]["conversations"] == 1
    assert api.get("/metrics", since="2026-12-01T00:00:00Z").json()["overall"]["conversations"] == 0
    assert api.get("/metrics", target=-1).status_code == 400
    assert api.get("/metrics", since="2026-11-01T00:00").status_code == 400


def test_a_member_uses_the_api_with_the_session_and_csrf(world):
    _ws, agent, _, _ = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    r = client.get("/api/conversations", {"workspace": "acme"})
    assert r.status_code == 200
    other = f.workspace("other")
    assert client.get("/api/conversations", {"workspace": other.name}).status_code == 403
    r = client.post("/api/canned?workspace=acme", "{}", content_type="application/json")
    assert r.status_code in (401, 403)  # no CSRF token


def test_openapi_document_is_served(world):
    doc = Client().get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/conversations/{conversation_id}/reply" in doc["paths"]
    assert Client().get("/api/docs").status_code == 200
