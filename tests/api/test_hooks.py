"""The signed webhook channel."""

from __future__ import annotations

import json

import pytest
from django.test import Client

import factories as f
from beancan.connectors.webhook import SIGNATURE_HEADER, sign
from beancan.inbox.models import Message

pytestmark = pytest.mark.django_db
SECRET = "hook-secret"
WHEN = "2026-11-02T09:00:00+00:00"


@pytest.fixture
def channel():
    return f.channel(f.workspace(), kind="webhook", secret=SECRET)


def post(channel_id, body: bytes, signature: str | None):
    headers = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature} if signature else {}
    return Client().post(f"/hooks/{channel_id}", body, content_type="application/json", **headers)


def message(ext="w1", **extra) -> dict:
    return {"external_id": ext, "author": "ursula", "posted_at": WHEN, "text": "help!"} | extra


def test_a_signed_message_is_ingested_once(channel):
    body = json.dumps(message()).encode()
    r = post(channel.pk, body, sign(SECRET, body))
    assert r.status_code == 200 and len(r.json()["created"]) == 1
    r = post(channel.pk, body, sign(SECRET, body))
    assert r.json()["duplicates"] == 1
    batch = json.dumps({"messages": [message("w2"), message("w3")]}).encode()
    assert post(channel.pk, batch, sign(SECRET, batch)).status_code == 200
    assert Message.objects.filter(channel=channel).count() == 3


def test_bad_or_missing_signature_is_401(channel):
    body = json.dumps(message()).encode()
    assert post(channel.pk, body, sign("other-secret", body)).status_code == 401
    assert post(channel.pk, body, None).status_code == 401
    assert post(channel.pk, body + b" ", sign(SECRET, body)).status_code == 401
    assert not Message.objects.exists()


def test_unknown_channel_or_not_a_webhook_is_404(channel):
    body = json.dumps(message()).encode()
    assert post(channel.pk + 1000, body, sign(SECRET, body)).status_code == 404
    api_channel = f.channel(channel.workspace, kind="api", secret=SECRET)
    assert post(api_channel.pk, body, sign(SECRET, body)).status_code == 404
    assert Client().get(f"/hooks/{channel.pk}").status_code == 405


def test_oversized_malformed_and_incomplete_bodies(channel, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    big = json.dumps(message(text="x" * 3000)).encode()
    assert post(channel.pk, big, sign(SECRET, big)).status_code == 413
    bad = b"{oops"
    r = post(channel.pk, bad, sign(SECRET, bad))
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    missing = json.dumps({"author": "x", "posted_at": WHEN, "text": "t"}).encode()
    r = post(channel.pk, missing, sign(SECRET, missing))
    assert r.status_code == 400 and "external_id" in r.json()["detail"]
    naive = json.dumps(message(posted_at="2026-11-02T09:00:00")).encode()
    r = post(channel.pk, naive, sign(SECRET, naive))
    assert r.status_code == 400 and "posted_at" in r.json()["detail"]
    assert not Message.objects.exists()
