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
    _wait_for_the_server_to_settle()


def _wait_for_the_server_to_settle(quiet: float = 0.3, timeout: float = 10.0) -> None:
    """Closing a page sends its leaving heartbeat, which the server may still be writing when
    the flush starts (a deadlock seen once on PostgreSQL after the pages were closed). Wait until
    no other session of the test database has been busy for `quiet` seconds."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite: the flush waits on the writer's lock
    deadline, calm_since = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() < deadline:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            busy = cur.fetchone()[0]
        now = time.monotonic()
        if busy:
            calm_since = now
        elif now - calm_since >= quiet:
            return
        time.sleep(0.05)
