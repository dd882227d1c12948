"""Tests that use the service's database are marked `db`, so make test runs them again on
PostgreSQL. (Under pytest the service's data directory is a fresh temporary folder: settings.)"""

from __future__ import annotations

from pathlib import Path

import pytest

SERVICE_DIRS = (
    "inbox",
    "api",
    "realtime",
    "workspaces",
    "analytics",
    "connectors",
    "server",
    "learning",
    "surveys",
)


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        rel = Path(item.fspath).relative_to(root).parts
        if rel and rel[0] in SERVICE_DIRS:
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="module")
def server(django_db_setup):
    """A real `beancan serve` for the browser tests of a module."""
    from browser import live_server

    yield from live_server()


@pytest.fixture(scope="module")
def chromium_browser():
    """Debian's Chromium under Playwright, one per module (a module overrides it to need more,
    e.g. axe-core)."""
    from browser import chromium

    yield from chromium()


@pytest.fixture
def browser(chromium_browser):
    """The module's Chromium for one test. The pages a test opened are closed when it ends,
    before its database is flushed: an open page keeps sending heartbeats, and a heartbeat's
    insert and the flush's TRUNCATE can deadlock on PostgreSQL."""
    yield chromium_browser
    for context in list(chromium_browser.contexts):
        context.close()
