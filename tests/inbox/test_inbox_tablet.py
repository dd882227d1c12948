"""The inbox at tablet sizes in a real browser (Playwright driving Debian's Chromium): nothing
overflows sideways at 768 px, and the queue, a conversation and the composer work by touch-sized
layout in portrait and landscape."""

from __future__ import annotations

import os
import re

import pytest

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import CannedResponse, Message
from browser import PASSWORD
from liveserver import Server

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
# Whatever sticks out past the right edge of the viewport, and where (scrollable boxes excepted).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") { return true; }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !inScroller(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      out.push(name + " right=" + Math.round(r.right));
    }
  }
  return {page: document.documentElement.scrollWidth, width: width, out: out.slice(0, 10)};
}"""


def _login(browser, server: Server, username: str, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")
    return page


def _assert_fits(page, where: str, shots, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= found["width"] and not found["out"], (where, found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_inbox_fits_a_tablet_and_works_there(server, browser, tmp_path):
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    f.user("alice", ws=ws, role="admin", password=PASSWORD)
    CannedResponse.objects.create(
        workspace=ws, name="sorry", text="Hi {first_name}, sorry about that. {agent_name}"
    )
    long_word = "supercalifragilistic" * 6  # one unbroken 120-character word
    ingest(
        web,
        [
            f.msg(
                f"t{i}",
                author=f"customer_with_a_rather_long_handle_{i}",
                author_name="Rosa Diaz",
                text=f"@acmehelp my order {i} is late again {long_word} any update please?",
                minutes=i,
            )
            for i in range(8)
        ],
    )

    for name, viewport in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
        page = _login(browser, server, "alice", viewport)
        page.goto(f"{server.url}/w/acme/")
        _assert_fits(page, f"inbox, {name}", tmp_path, f"inbox-{name}")
        # The queue: rows are there and open a conversation.
        rows = page.locator("tr[data-conversation]")
        assert rows.count() == 8
        link = rows.first.get_by_role("link")
        assert link.is_visible()
        link.click()
        page.wait_for_url(re.compile(r"/w/acme/c/\d+/$"))
        _assert_fits(page, f"conversation, {name}", tmp_path, f"conversation-{name}")
        # The composer: within the screen, and it sends.
        box = page.get_by_label(re.compile("^Message"))
        send = page.get_by_role("button", name="Send reply")
        box.scroll_into_view_if_needed()
        for el in (box, send):
            r = el.bounding_box()
            assert r and r["x"] >= 0 and r["x"] + r["width"] <= viewport["width"], (name, r)
        page.get_by_label("Canned response").select_option(label="sorry")
        assert box.input_value() == "Hi Rosa, sorry about that. alice"
        send.click()
        page.locator("article.msg.out", has_text="Hi Rosa, sorry about that").wait_for(timeout=5000)
        page.goto(f"{server.url}/w/acme/admin/")
        _assert_fits(page, f"administration, {name}", tmp_path, f"admin-{name}")
        page.context.close()
    assert Message.objects.filter(workspace=ws, direction="out").count() == 2
