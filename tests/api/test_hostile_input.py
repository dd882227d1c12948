"""Hostile and odd input found by probing the API: never a 500, the right 4xx."""

from __future__ import annotations

import json

import pytest
from django.test import Client

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation

pytestmark = pytest.mark.django_db
WHEN = "2026-11-02T09:00:00+00:00"


@pytest.fixture
def w():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="web", secret="s3cret")
    ingest(ch, [f.msg("x1", author="rita")])
    return ws, ch, f.token(ws, "agent")


def call(method, path, token=None, body=None, raw=None, client=None, **extra):
    c = client or Client(raise_request_exception=False)
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    r = (
        getattr(c, method)(path, data, content_type="application/json", **extra)
        if method != "get"
        else c.get(path, **extra)
    )
    return r


def msg(**kw):
    return {
        "channel": "web",
        "external_id": "e1",
        "author": "bob",
        "posted_at": WHEN,
        "text": "hi",
    } | kw


CASES = {
    "surrogate text": ("post", "/api/messages", msg(text="\ud800")),
    "nul raw key": ("post", "/api/messages", msg(raw={"a\u0000": 1})),
    "year 1 +05:00": ("post", "/api/messages", msg(posted_at="0001-01-01T00:00:00+05:00")),
    "year 9999": ("post", "/api/messages", msg(posted_at="9999-12-31T23:59:00+00:00")),
    "huge conv id": ("get", "/api/conversations/99999999999999999999", None),
    "huge offset": ("get", "/api/conversations?offset=99999999999999999999", None),
    "huge contact filter": ("get", "/api/conversations?contact=99999999999999999999", None),
    "huge contacts offset": ("get", "/api/contacts?offset=99999999999999999999", None),
    "metrics since year 1": ("get", "/api/metrics?since=0001-01-01T00:00:00%2B05:00", None),
    "metrics target inf": ("get", "/api/metrics?target=inf", None),
    "metrics target nan": ("get", "/api/metrics?target=nan", None),
    "snooze year 1": (
        "post",
        "/api/conversations/{cid}/snooze",
        {"until": "0001-01-01T00:00:00+05:00"},
    ),
    "nul in q": ("get", "/api/conversations?q=a%00b", None),
    "nul in tag": ("post", "/api/conversations/{cid}/tags", {"add": ["a\u0000"]}),
    "nul in note": ("post", "/api/conversations/{cid}/notes", {"text": "a\u0000"}),
    "nul in canned": ("post", "/api/canned", {"name": "a\u0000", "text": "t"}),
    "huge assignee": ("post", "/api/conversations/{cid}/assign", {"assignee_id": 10**20}),
    "huge merge": ("post", "/api/contacts/1/merge", {"other_id": 10**20}),
    "huge channel id": ("post", "/api/messages", msg(channel=10**20)),
}


@pytest.mark.parametrize("name", CASES)
def test_no_500(w, name):
    ws, _ch, _token = w
    tok = f.token(ws, "admin")
    method, path, body = CASES[name]
    path = path.format(cid=Conversation.objects.get(workspace=ws).pk)
    r = call(method, path, tok, body)
    assert r.status_code < 500, (name, r.status_code)


def test_bad_content_length(w):
    _ws, _ch, token = w
    r = call("post", "/api/messages", token, msg(), CONTENT_LENGTH="abc")
    assert r.status_code == 400


def test_webhook_huge_channel(w):
    r = call("post", "/hooks/99999999999999999999", None, msg())
    assert r.status_code == 404


def test_unauthenticated_post_is_401_with_csrf_enforced(w):
    c = Client(enforce_csrf_checks=True)
    r = call("post", "/api/messages", None, msg(), client=c)
    r2 = call("post", "/api/messages", "bc_wrong", msg(), client=c)
    assert (r.status_code, r2.status_code) == (401, 401)


def test_session_other_workspace_is_403(w):
    ws, _ch, _token = w
    other = f.workspace("other")
    u = f.user("m1", ws=ws)
    c = Client()
    c.force_login(u)
    r = c.get("/api/conversations", {"workspace": other.name})
    assert r.status_code == 403


def test_token_with_other_workspace_param(w):
    _ws, _ch, token = w
    other = f.workspace("other")
    r = Client().get(
        "/api/conversations", {"workspace": other.name}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert r.status_code == 403


def test_viewer_session_post(w):
    ws, _ch, _token = w
    u = f.user("v1", ws=ws, role="viewer")
    c = Client()
    c.force_login(u)
    cid = Conversation.objects.get(workspace=ws).pk
    r = c.post(f"/api/conversations/{cid}/resolve?workspace=acme")
    assert r.status_code == 403


def test_body_not_object(w):
    _ws, _ch, token = w
    for raw in (b"[1]", b'"x"', b"null", b"", b'{"channel": "web", "raw": {"a": NaN}}'):
        r = call("post", "/api/messages", token, raw=raw)
        assert 400 <= r.status_code < 500


def test_missing_field_message(w):
    _ws, _ch, token = w
    body = msg()
    del body["posted_at"]
    call("post", "/api/messages", token, body)
    call("post", "/api/messages", token, msg(posted_at="2026-11-02T09:00:00"))


def test_unknown_channel(w):
    _ws, _ch, token = w
    other = f.workspace("other")
    och = f.channel(other, name="theirs")
    r = call("post", "/api/messages", token, msg(channel=och.pk))
    assert r.status_code in (400, 404)
