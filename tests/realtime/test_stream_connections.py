"""Open event streams hold no database connection: with more streams open than the pool has
connections, pages still answer at once and every stream still gets its events."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from test_sse import Stream

import factories as f
from beancan.inbox.ingest import ingest
from liveserver import Server

POOL = 2


@pytest.mark.django_db(transaction=True)
def test_more_open_streams_than_pooled_connections_leave_pages_answering():
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (SQLite opens a connection per thread)")
    ws = f.workspace("acme")
    ch = f.channel(ws)
    member = Client()
    member.force_login(f.user("ann", ws=ws))
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={member.cookies['sessionid'].value}"}
    server = Server(BEANCAN_DB_POOL=str(POOL))
    try:
        with contextlib.ExitStack() as stack:
            streams = []
            for _ in range(3 * POOL):
                s = Stream(server.url, ws.name, cookie)
                stack.callback(s.close)
                assert s.status == 200
                streams.append(s)
            started = time.monotonic()
            page = httpx.get(f"{server.url}/w/acme/", headers=cookie, timeout=30)
            # The pool's timeout is 20 s: a page that had to wait for a stream's connection
            # would take that long or fail.
            assert page.status_code == 200 and time.monotonic() - started < 5
            m = ingest(ch, [f.msg("x-1")]).created[0]
            for s in streams:
                assert s.until("message.created")[-1]["data"]["message_id"] == m.pk
    finally:
        server.stop()
