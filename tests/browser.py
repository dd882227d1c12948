"""Browser tests' shared parts: Debian's Chromium under Playwright, and logging in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a-Long-passw0rd"
# Playwright's sync API keeps an event loop in this thread; the ORM calls in between are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium(*also_needed: Path):
    """A launched Chromium (a generator for a fixture); skipped, or failed under CI, if it or a
    file it needs (`also_needed`) is absent."""
    missing = [str(p) for p in (CHROMIUM, *also_needed) if not p.exists()]
    if missing:
        message = f"not installed: {', '.join(missing)} (make test installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def login(browser, server, username: str, viewport=(1280, 900)):
    """A new page logged in as `username`."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")
    return page


def live_server():
    """A real `beancan serve` for the module (a generator for a fixture)."""
    from liveserver import Server

    srv = Server()
    yield srv
    srv.stop()
