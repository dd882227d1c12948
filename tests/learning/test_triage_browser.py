"""Triage in a real browser against a real server: an agent corrects a message's intent in the
conversation and a lead's open page sees it live; the lead refits from the triage page, the worker
runs the refit, and the page shows the new model in use; the queue filters by intent."""

from __future__ import annotations

import re

import pytest

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Message
from beancan.learning.models import Correction, WorkspaceModel
from browser import PASSWORD, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_correct_intent_live_then_refit_from_the_triage_page(server, browser):
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    f.user("alice", ws=ws, role="agent", password=PASSWORD)
    f.user("lee", ws=ws, role="supervisor", password=PASSWORD)
    ingest(web, [f.msg("g1", author="rosa", text="@acmehelp my lamp came grumbo again")])
    m = Message.objects.get(external_id="g1")
    wanted = "request" if m.intent != "request" else "feedback"

    lead = login(browser, server, "lee")
    lead.goto(f"{server.url}/w/acme/c/{m.conversation_id}/")
    lead.wait_for_function("document.body.dataset.live === '1'")
    agent = login(browser, server, "alice")
    agent.goto(f"{server.url}/w/acme/c/{m.conversation_id}/")
    agent.wait_for_function("document.body.dataset.live === '1'")  # htmx and the stream are up
    box = agent.locator(f"#triage-{m.pk}")
    box.get_by_text("Correct", exact=True).click()
    agent.locator(f"#correct-{m.pk}[open]").wait_for()
    box.get_by_label(f"Intent of message {m.pk}").select_option(wanted)
    box.get_by_role("button", name="Set intent").click()
    agent.locator(f"#triage-{m.pk}").get_by_text(f"{wanted} ✓").wait_for()
    # The lead's page follows without a reload.
    lead.locator(f"#triage-{m.pk}").get_by_text(f"{wanted} ✓").wait_for(timeout=5000)
    assert Correction.objects.get(message=m).label == wanted

    # The queue filters by intent.
    agent.goto(f"{server.url}/w/acme/?queue=open&intent={wanted}")
    assert agent.locator(f"tr[data-conversation='{m.conversation_id}']").count() == 1
    agent.goto(f"{server.url}/w/acme/?queue=open&intent=praise")
    assert agent.locator(f"tr[data-conversation='{m.conversation_id}']").count() == 0

    lead.goto(f"{server.url}/w/acme/triage/")
    assert "my lamp came grumbo" in lead.locator("#recent").inner_text()
    lead.get_by_role("button", name="Refit now").click()
    lead.get_by_text("A refit is queued").wait_for()
    f.run_worker_once("browser-test")
    version = WorkspaceModel.objects.get(workspace=ws)
    lead.goto(f"{server.url}/w/acme/triage/")
    assert lead.locator("[data-active-model]").inner_text() == version.name
    assert re.search(r"\(in use\)", lead.locator("#refits").inner_text())
    # An agent may not open the triage page.
    assert agent.goto(f"{server.url}/w/acme/triage/").status == 403
