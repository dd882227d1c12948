"""Surveys in a real browser against a real server: an admin turns CSAT on in the admin page, an
agent resolves a conversation, the worker sends the question, the customer answers "5, thanks!",
the conversation stays resolved, the customer panel shows the answer and the supervisor's open
surveys page follows it live: CSAT, the response rate and the bar of fives."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message, Status
from beancan.surveys.models import Survey
from browser import PASSWORD, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_turn_on_resolve_answer_and_see_it_on_the_panel_and_the_surveys_page(server, browser):
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    f.user("ada", ws=ws, role="admin", password=PASSWORD)
    f.user("alice", ws=ws, role="agent", password=PASSWORD)
    f.user("lee", ws=ws, role="supervisor", password=PASSWORD)
    ingest(web, [f.msg("g1", author="rosa", text="@acmehelp my router", author_name="Rosa Diaz")])
    conv = Conversation.objects.get(workspace=ws)

    admin = login(browser, server, "ada")
    admin.goto(f"{server.url}/w/acme/admin/")
    section = admin.locator("#surveys")
    section.get_by_label("Ask CSAT (1-5)").check()
    section.get_by_label("Answers taken for (hours)").fill("99999")
    section.get_by_role("button", name="Save surveys").click()
    assert admin.locator("#surveys-error").inner_text().startswith("window_hours:")
    section = admin.locator("#surveys")
    section.get_by_label("Ask CSAT (1-5)").check()
    section.get_by_role("button", name="Save surveys").click()
    admin.wait_for_url(f"{server.url}/w/acme/admin/#surveys")
    assert admin.locator("#surveys").get_by_label("Ask CSAT (1-5)").is_checked()

    agent = login(browser, server, "alice")
    agent.goto(f"{server.url}/w/acme/c/{conv.pk}/")
    agent.locator("[data-resolve]").click()
    agent.wait_for_load_state()
    # Sends the survey to the outbox; the send task then fails (no URL).
    f.run_worker_once("surveys-browser-test")
    survey = Survey.objects.get(conversation=conv)
    assert survey.state == "sent" and survey.message.text.startswith("Hi Rosa, how did we do?")

    # The supervisor's surveys page is open when the answer comes, and follows it live.
    lead = login(browser, server, "lee")
    lead.goto(f"{server.url}/w/acme/surveys/")
    lead.wait_for_function("document.body.dataset.live === '1'")
    csat = lead.locator("[data-kind='csat']")
    assert csat.locator("[data-metric='responses']").inner_text() == "0"

    ingest(web, [f.msg("g2", author="rosa", text="5, thanks!")])
    expect(csat.locator("[data-metric='responses']")).to_have_text("1", timeout=5000)
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED
    assert Message.objects.get(external_id="g2").conversation_id == conv.pk

    agent.goto(f"{server.url}/w/acme/c/{conv.pk}/")
    panel = agent.get_by_role("complementary", name="Customer")
    assert "CSAT 100%" in panel.locator("[data-survey-metrics]").inner_text()
    assert "thanks" in panel.locator(f"[data-survey='{survey.pk}']").inner_text()

    assert csat.locator("[data-metric='score']").inner_text() == "100%"
    assert csat.locator("[data-metric='response-rate']").inner_text() == "100%"
    bar = csat.locator("rect[data-score='5']")
    assert bar.get_attribute("data-count") == "1" and float(bar.get_attribute("height")) > 0
    assert "Rosa Diaz" in lead.locator("#latest").inner_text()
    assert agent.goto(f"{server.url}/w/acme/surveys/").status == 403  # agents do not see it
