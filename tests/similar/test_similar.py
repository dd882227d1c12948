"""Similar conversations (the `ml` extra): the worker embeds openings, a conversation page and the
API show the answered conversations of the same workspace that opened alike, with their replies
ready to reuse; nothing crosses workspaces; without the extra the feature stays out of the way."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.test import Client

import factories as f
from beancan.inbox.clock import tick
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message
from beancan.similar.actions import pending_conversations, vectors_sweep
from beancan.similar.clock import schedule_embedding
from beancan.similar.models import ConversationVector
from beancan.similar.selectors import similar_for
from ml import require_ml

pytestmark = [pytest.mark.django_db, pytest.mark.db]

PAST = [
    (
        "@brand my package was meant to arrive yesterday and tracking hasn't moved",
        "@{c} Hi Sarah, sorry it's late! Please DM us your order number and we'll chase it. ^JK",
    ),
    (
        "@brand love the new app, checkout is so much faster now",
        "@{c} Thank you, that's great to hear!",
    ),
    (
        "@brand the app logs me out every time I open it",
        "@{c} Sorry! Reinstalling usually fixes it.",
    ),
]
NEW = "@brand where is my order? it was due two days ago and tracking is stuck"


def _world(name="acme"):
    ws = f.workspace(name)
    ch = f.channel(ws, name="web", handle="brand")
    return ws, ch


def _converse(ch, prefix: str, pairs, minutes: float = 0):
    for i, (said, answer) in enumerate(pairs):
        c, r = f"{prefix}c{i}", f"{prefix}r{i}"
        ingest(ch, [f.msg(c, author=f"{prefix}cust{i}", text=said, minutes=minutes + i)])
        ingest(
            ch,
            [
                f.msg(
                    r,
                    author="brand",
                    direction="out",
                    in_reply_to=c,
                    text=answer.format(c=f"{prefix}cust{i}"),
                    minutes=minutes + i + 5,
                )
            ],
        )
    return list(Conversation.objects.filter(channel=ch).order_by("pk"))


def _new(ch, ext="n1", text=NEW, minutes=60):
    ingest(ch, [f.msg(ext, author="newcust", text=text, minutes=minutes)])
    return Message.objects.get(channel=ch, external_id=ext).conversation


@pytest.fixture
def ml():
    require_ml()


@pytest.mark.django_db(transaction=True)
def test_the_worker_embeds_openings_and_the_best_match_comes_with_its_reply(ml):
    ws, ch = _world()
    late, _praise, _logout = _converse(ch, "p", PAST)
    conv = _new(ch)
    agent = f.actor(ws, f.user("agnes", ws=ws))
    assert similar_for(agent, conv.pk).state == "pending"
    assert pending_conversations().count() == 4
    # The clock queues one task; the real worker runs it.
    assert schedule_embedding() == 1
    assert schedule_embedding() == 0  # one at a time
    f.run_worker_once()
    assert pending_conversations().count() == 0
    assert ConversationVector.objects.filter(workspace=ws, answered=True).count() == 3
    assert not ConversationVector.objects.get(pk=conv.pk).answered
    found = similar_for(agent, conv.pk)
    assert found.state == "ready"
    best = found.items[0]
    assert best.conversation_id == late.pk and best.score > 0.5
    assert best.opening.startswith("@brand my package was meant to arrive")
    assert best.reply.startswith("@pcust0 Hi Sarah")
    assert best.template == (
        "Hi {first_name}, sorry it's late! Please DM us your order number and we'll chase it. "
        "^{agent_name}"
    )
    assert all(s.conversation_id != conv.pk for s in found.items)
    assert [s.score for s in found.items] == sorted((s.score for s in found.items), reverse=True)


def test_an_unanswered_opening_is_embedded_again_as_the_customer_adds_to_it(ml):
    _ws, ch = _world()
    conv = _new(ch, text="@brand hello?")
    assert vectors_sweep() == 1
    first = bytes(ConversationVector.objects.get(pk=conv.pk).vector)
    ingest(ch, [f.msg("n2", author="newcust", text="@brand my refund never arrived", minutes=61)])
    assert pending_conversations().filter(pk=conv.pk).exists()
    assert vectors_sweep() == 1
    row = ConversationVector.objects.get(pk=conv.pk)
    assert row.messages == 2 and bytes(row.vector) != first
    assert Conversation.objects.get(pk=conv.pk).embedded_messages == 2
    assert vectors_sweep() == 0  # nothing left to do
    # Once answered, it joins the pool of past answers.
    ingest(ch, [f.msg("a1", author="brand", direction="out", in_reply_to="n2", minutes=70,
                      text="@newcust So sorry, Nia! DM us and we'll sort it.")])  # fmt: skip
    assert vectors_sweep() == 0
    assert ConversationVector.objects.get(pk=conv.pk).answered


def test_a_conversation_with_nothing_public_to_read_is_left_alone(ml):
    ws, ch = _world()
    ingest(ch, [f.msg("dm1", author="dee", text="my card number is 4111", private=True)])
    conv = Message.objects.get(external_id="dm1").conversation
    agent = f.actor(ws, f.user("agnes", ws=ws))
    assert pending_conversations().filter(pk=conv.pk).exists()  # a customer message, private
    assert similar_for(agent, conv.pk).state == "pending"
    assert vectors_sweep() == 0  # nothing public: not embedded, and not due any more
    assert not pending_conversations().filter(pk=conv.pk).exists()
    assert similar_for(agent, conv.pk).state == "none"


def test_nothing_crosses_workspaces(ml):
    ws, ch = _world()
    other, other_ch = _world("globex")
    _converse(other_ch, "o", PAST[:1])  # the perfect match, in another workspace
    mine = _converse(ch, "p", PAST[1:])
    conv = _new(ch)
    vectors_sweep()
    agent = f.actor(ws, f.user("agnes", ws=ws))
    found = similar_for(agent, conv.pk)
    theirs = set(Conversation.objects.filter(workspace=other).values_list("pk", flat=True))
    assert found.state == "ready"
    assert {s.conversation_id for s in found.items} <= {c.pk for c in mine}
    assert not {s.conversation_id for s in found.items} & theirs
    outsider = f.actor(other, f.user("oz", ws=other))
    with pytest.raises(Conversation.DoesNotExist):
        similar_for(outsider, conv.pk)
    # The page and the API refuse another workspace's members and tokens.
    client = Client()
    client.force_login(outsider.user)
    assert client.get(f"/w/acme/similar/{conv.pk}").status_code == 403
    assert client.get(f"/w/globex/similar/{conv.pk}").status_code == 404
    token = f.token(other)
    r = Client().get(f"/api/conversations/{conv.pk}/similar", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 404


def test_the_panel_and_the_api(ml):
    ws, ch = _world()
    late = _converse(ch, "p", PAST)[0]
    conv = _new(ch)
    user = f.user("agnes", ws=ws)
    client = Client()
    client.force_login(user)
    page = client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert f'hx-get="/w/acme/similar/{conv.pk}"' in page
    pending = client.get(f"/w/acme/similar/{conv.pk}").content.decode()
    assert (
        "Finding conversations like this one" in pending and 'hx-trigger="load delay:5s"' in pending
    )
    vectors_sweep()
    panel = client.get(f"/w/acme/similar/{conv.pk}").content.decode()
    assert f'href="/w/acme/c/{late.pk}/"' in panel
    assert "Use this reply" in panel
    assert 'data-use-reply="Hi {first_name}, sorry it&#x27;s late!' in panel
    assert "hx-trigger" not in panel  # ready: no more polling
    token = f.token(ws)
    r = Client().get(f"/api/conversations/{conv.pk}/similar", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = r.json()
    assert r.status_code == 200 and body["state"] == "ready"
    assert body["conversations"][0]["conversation_id"] == late.pk
    assert body["conversations"][0]["template"].startswith("Hi {first_name}, sorry it's late!")
    # A viewer sees the conversations but gets no button (they cannot reply).
    viewer = f.user("vic", ws=ws, role="viewer")
    client.force_login(viewer)
    panel = client.get(f"/w/acme/similar/{conv.pk}").content.decode()
    assert f'href="/w/acme/c/{late.pk}/"' in panel and "Use this reply" not in panel


def test_switched_off_it_stays_out_of_the_way(settings):
    settings.BEANCAN_SIMILAR = "off"
    ws, ch = _world()
    _converse(ch, "p", PAST[:1])
    conv = _new(ch)
    assert schedule_embedding() == 0
    assert tick()["embedding"] == 0
    client = Client()
    client.force_login(f.user("agnes", ws=ws))
    page = client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert "/similar/" not in page
    assert client.get(f"/w/acme/similar/{conv.pk}").content.decode().strip() == (
        '<div id="similar" hidden></div>'
    )
    token = f.token(ws)
    r = Client().get(f"/api/conversations/{conv.pk}/similar", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.json() == {"state": "off", "conversations": []}


def _beancan_worker(env: dict, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "beancan", "worker", "--interval", "0.1", "--tick", "0.3", *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:  # pragma: no cover
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_embedding_runs_on_a_worker_of_its_own(ml):
    """`beancan serve` runs one worker for everything but the ml queue and one for it: the main
    worker's clock queues the embedding and never runs it; the ml worker does."""
    from django_tasks_db.models import DBTaskResult

    _ws, ch = _world()
    conv = _new(ch)
    env = f.service_env(BEANCAN_SIMILAR="auto")
    main = _beancan_worker(env, "--exclude-queue", "ml")
    try:
        deadline = time.monotonic() + 30
        while not DBTaskResult.objects.filter(queue_name="ml").exists():
            assert time.monotonic() < deadline, "the clock queued no embedding"
            time.sleep(0.1)
        time.sleep(1.5)  # several polls of the main worker
        assert DBTaskResult.objects.get(queue_name="ml").status == "READY"
        assert not ConversationVector.objects.exists()
        ml_worker = _beancan_worker(env, "--queue", "ml", "--no-clock")
        try:
            deadline = time.monotonic() + 60
            while not ConversationVector.objects.filter(pk=conv.pk).exists():
                assert time.monotonic() < deadline, "the ml worker embedded nothing"
                time.sleep(0.2)
        finally:
            _stop(ml_worker)
    finally:
        _stop(main)
    assert DBTaskResult.objects.filter(queue_name="ml", status="SUCCESSFUL").exists()
