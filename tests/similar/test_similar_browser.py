"""Similar conversations in a real browser: the panel appears once the worker has embedded the
conversation (the page polls while it waits), and "Use this reply" fills the composer with this
customer's name and this agent's."""

from __future__ import annotations

import re

import pytest

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Message
from beancan.similar.actions import vectors_sweep
from browser import PASSWORD, login
from ml import require_ml


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_past_answer_is_reused_with_this_customers_name(server, browser):
    require_ml()
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    f.user("alice", ws=ws, role="agent", password=PASSWORD)
    said = "@acmehelp my order is two days late and tracking hasn't moved"
    answer = "@sam Hi Sam, sorry it's late! DM us the order number. ^JK"
    ingest(web, [f.msg("p1", author="sam", text=said)])
    ingest(web, [f.msg("p2", author="acmehelp", direction="out", in_reply_to="p1", text=answer)])
    asks = "@acmehelp where is my order? it's two days late"
    ingest(web, [f.msg("n1", author="rosa", author_name="Rosa Diaz", minutes=30, text=asks)])
    conv = Message.objects.get(external_id="n1").conversation

    page = login(browser, server, "alice")
    page.goto(f"{server.url}/w/acme/c/{conv.pk}/")
    panel = page.locator("#similar")
    panel.filter(has_text="Finding conversations like this one").wait_for(timeout=5000)
    vectors_sweep()  # what the worker does
    panel.filter(has_text="Use this reply").wait_for(timeout=10_000)  # the page polls every 5 s
    assert "sorry it's late" in panel.inner_text()
    assert re.search(r"\d+% alike", panel.inner_text())
    panel.get_by_role("button", name="Use this reply").first.click()
    text = page.get_by_label(re.compile("^Message")).input_value()
    assert text == "Hi Rosa, sorry it's late! DM us the order number. ^alice"
