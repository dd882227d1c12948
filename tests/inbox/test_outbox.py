"""The outbox: a reply is stored, then sent by the worker, with retries and never twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

import factories as f
from beancan.inbox.actions import reply_send
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message, SendState
from beancan.inbox.outbox import send_outbound
from beancan.realtime.models import Event
from netpeer import NetPeer

SECRET = "peer-secret"


def _conversation(url: str):
    ws = f.workspace()
    ch = f.channel(ws, secret=SECRET, config={"send_url": url}, handle="brand", max_length=280)
    ingest(ch, [f.msg("in-1", author="maria", text="my parcel never came @brand")])
    agent = f.user(ws=ws)
    return f.actor(ws, agent), Conversation.objects.get(workspace=ws)


def _due_now(message_id: int) -> None:
    Message.objects.filter(pk=message_id).update(next_attempt_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_reply_is_stored_queued_then_sent_once_with_retries():
    with NetPeer(SECRET, fail_first=2) as peer:
        actor, conv = _conversation(peer.url)
        reply = reply_send(actor, conv, "Hi Maria, so sorry! DM us the order number? ^BK")
        assert reply.send_state == SendState.QUEUED and reply.external_id is None
        assert send_outbound(reply.pk) == SendState.QUEUED  # 503: retried later
        assert send_outbound(reply.pk) == "not due"  # backoff holds it
        _due_now(reply.pk)
        assert send_outbound(reply.pk) == SendState.QUEUED
        _due_now(reply.pk)
        assert send_outbound(reply.pk) == SendState.SENT
        reply.refresh_from_db()
        assert reply.external_id == "post-1" and reply.send_attempts == 3
        assert len(peer.posts) == 1 and len(peer.requests) == 3
        assert peer.posts[reply.idempotency_key]["body"]["recipient"] == "maria"
        assert peer.posts[reply.idempotency_key]["body"]["in_reply_to"] == "in-1"
        assert Event.objects.filter(type="message.sent").count() == 1
        conv.refresh_from_db()
        assert conv.answered and conv.first_response_due_at is None


@pytest.mark.django_db(transaction=True)
def test_same_client_key_gives_the_same_reply_and_over_length_is_refused():
    from django.core.exceptions import ValidationError

    actor, conv = _conversation("http://127.0.0.1:9/unused")
    one = reply_send(actor, conv, "Hi Maria, we are on it", idempotency_key="client-1")
    two = reply_send(actor, conv, "Hi Maria, we are on it", idempotency_key="client-1")
    assert one.pk == two.pk
    with pytest.raises(ValidationError, match="limit of 280"):
        reply_send(actor, conv, "x" * 281)


@pytest.mark.django_db(transaction=True)
def test_a_final_failure_is_visible_on_the_conversation():
    actor, conv = _conversation("http://127.0.0.1:9/refused")  # nothing listens on port 9
    reply = reply_send(actor, conv, "Hello Maria, checking now")
    for _ in range(6):
        _due_now(reply.pk)
        state = send_outbound(reply.pk)
    assert state == SendState.FAILED
    reply.refresh_from_db()
    assert reply.send_state == SendState.FAILED and "ConnectError" in reply.send_error
    assert Event.objects.filter(type="message.failed").count() == 1
    conv.refresh_from_db()
    assert not conv.answered and conv.first_response_due_at is not None


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "beancan", "worker", "--interval", "0.1", "--tick", "0.3"],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _wait(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_posts_once():
    env = f.service_env(BEANCAN_SEND_LEASE_SECONDS="2")
    with NetPeer(SECRET, hold_seconds=1.5) as peer:
        actor, conv = _conversation(peer.url)
        reply = reply_send(actor, conv, "Hi Maria, a new parcel is on its way ^BK")
        first = _worker(env)
        try:
            _wait(lambda: len(peer.requests) == 1)  # the post is being made...
            first.send_signal(signal.SIGKILL)  # ...and the worker dies before it hears back
            first.wait()
        finally:
            if first.poll() is None:
                first.kill()
        assert Message.objects.get(pk=reply.pk).send_state == SendState.SENDING
        _wait(lambda: len(peer.posts) == 1)  # the network did post it
        second = _worker(env)
        try:
            _wait(lambda: Message.objects.get(pk=reply.pk).send_state == SendState.SENT)
        finally:
            second.terminate()
            second.wait(10)
    reply.refresh_from_db()
    assert len(peer.posts) == 1 and len(peer.requests) == 2
    assert reply.external_id == "post-1"
    assert timezone.now() - reply.received_at < timedelta(minutes=5)
