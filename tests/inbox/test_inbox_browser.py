"""The inbox in a real browser (Playwright driving Debian's Chromium) against a real server:
log in, a replayed mention appears without reload, a canned reply fills the first name, a second
agent sees the reply and the new status, a viewer cannot reply."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

import factories as f
from beancan.audit.readers import open_source
from beancan.connectors.replay import replay
from beancan.inbox.ingest import ingest
from beancan.inbox.models import CannedResponse, Message
from browser import PASSWORD, login


def _login(browser, server, username: str):
    return login(browser, server, username)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_agents_and_a_viewer_work_a_mention_live(server, browser, tmp_path):
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    for name, role in (("alice", "agent"), ("bob", "agent"), ("vic", "viewer")):
        f.user(name, ws=ws, role=role, password=PASSWORD)
    CannedResponse.objects.create(
        workspace=ws,
        name="outage",
        text="Hi {first_name}, sorry about that: we are on it. {agent_name}",
    )
    # The customer is known from an earlier message, with the name their profile gives.
    earlier = f.msg("old-1", author="rosa", text="thanks for yesterday", author_name="Rosa Diaz")
    ingest(web, [earlier])

    alice = _login(browser, server, "alice")
    alice.goto(f"{server.url}/w/acme/")
    alice.wait_for_function("document.body.dataset.live === '1'")  # the event stream is open

    # A mention arrives through the replay of an export: it appears without a reload.
    export = tmp_path / "mention.jsonl"
    now = datetime.now(UTC).isoformat()
    export.write_text(
        json.dumps(
            {
                "id": "t-900",
                "author": "rosa",
                "inbound": "true",
                "created_at": now,
                "text": "@acmehelp the app is down again, I can't pay my bill",
            }
        )
        + "\n"
    )
    result = replay(ws, open_source(export), channel_name="web", live_times=True)
    assert result.ingested == 1
    row = alice.locator("tr", has_text="the app is down again")
    row.wait_for(timeout=5000)
    # The counts are a fragment of their own, re-fetched on the same event: wait for it too.
    count = alice.locator("[data-queue=unassigned] .count")
    count.filter(has_text="2").wait_for(timeout=5000)
    assert count.inner_text() == "2"

    # Alice opens it from the keyboard (j selects the first row, o opens it) and answers with the
    # canned response: the first name is filled in.
    alice.keyboard.press("j")
    alice.keyboard.press("o")
    alice.wait_for_url(re.compile(r"/w/acme/c/\d+/$"))
    conversation_url = alice.url
    bob = _login(browser, server, "bob")
    bob.goto(conversation_url)
    bob.wait_for_function("document.body.dataset.live === '1'")
    alice.wait_for_function("document.body.dataset.live === '1'")
    alice.keyboard.press("r")  # focuses the reply box
    alice.keyboard.type("We are looking into it.")
    alice.locator("#warnings", has_text="No personal touch").wait_for(timeout=5000)
    # Collision detection: each sees the other on the conversation.
    bob.locator("#viewers-box", has_text="alice is replying").wait_for(timeout=5000)
    alice.locator("#viewers-box", has_text="bob is viewing").wait_for(timeout=5000)
    alice.get_by_label("Canned response").select_option(label="outage")
    text = alice.get_by_label(re.compile("^Message")).input_value()
    assert text == "Hi Rosa, sorry about that: we are on it. alice"
    alice.wait_for_function("!document.querySelector('#warnings').textContent.trim()")
    alice.get_by_role("button", name="Send reply").click()
    alice.locator("article.msg.out", has_text="Hi Rosa").wait_for(timeout=5000)

    # Bob sees the reply appear, then the new status, without reloading.
    bob.locator("article.msg.out", has_text="Hi Rosa, sorry about that").wait_for(timeout=5000)
    alice.get_by_role("button", name="Resolve").click()
    bob.locator("[data-status]", has_text="resolved").wait_for(timeout=5000)
    reply = Message.objects.get(workspace=ws, direction="out")
    assert reply.text == text and reply.sent_by.username == "alice"

    # "/" from a conversation goes back to the inbox's search box.
    alice.keyboard.press("/")
    alice.wait_for_url(re.compile(r"/w/acme/$"))
    alice.wait_for_function("document.activeElement && document.activeElement.id === 'search'")

    # A viewer reads the conversation but has no composer.
    vic = _login(browser, server, "vic")
    vic.goto(conversation_url)
    assert vic.locator("article.msg.out", has_text="Hi Rosa").count() == 1
    assert vic.get_by_role("button", name="Send reply").count() == 0
    for page in (alice, bob, vic):
        page.context.close()
