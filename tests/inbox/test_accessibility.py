"""The inbox, a conversation and the administration page audited by axe-core in a real browser
(Playwright driving Debian's Chromium): no violation of WCAG 2.0/2.1 A and AA rules nor of axe's
best practices, whatever its impact (serious and critical ones were the goal; none remain)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import CannedResponse, Conversation
from browser import PASSWORD, chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Installed by `make test` (npm, tests/a11y/package.json).
AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


@pytest.fixture(scope="module")
def chromium_browser():
    yield from chromium(AXE)


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inbox_conversation_and_admin_pages_pass_axe(server, browser):
    ws = f.workspace("acme", brands=["acmehelp"])
    web = f.channel(ws, name="web", handle="acmehelp", max_length=280)
    f.user("alice", ws=ws, role="admin", password=PASSWORD)
    CannedResponse.objects.create(workspace=ws, name="sorry", text="Hi {first_name}, sorry.")
    ingest(
        web,
        [
            f.msg("a1", author="rosa", author_name="Rosa Diaz", text="@acmehelp it broke again"),
            f.msg("a2", author="tom", text="@acmehelp love it, thanks!", minutes=3),
        ],
    )
    conv = Conversation.objects.get(messages__external_id="a1")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/accounts/login/")
    assert _violations(page) == [], "login page"
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")
    found = {}
    tablet, desktop = {"width": 768, "height": 1024}, {"width": 1280, "height": 900}
    for name, path, viewport in (
        ("inbox on a tablet", "/w/acme/?queue=unassigned", tablet),
        ("conversation on a tablet", f"/w/acme/c/{conv.pk}/", tablet),
        ("inbox", "/w/acme/", desktop),
        ("conversation", f"/w/acme/c/{conv.pk}/", desktop),
        ("mentions", "/w/acme/mentions", desktop),
        ("administration", "/w/acme/admin/", desktop),
    ):
        page.set_viewport_size(viewport)
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    assert found == {k: [] for k in found}, found
    assert re.search(r"/w/acme/admin/$", page.url)
