"""Inbox search on PostgreSQL goes through the trigram index (migration 0008), not a scan."""

from __future__ import annotations

import pytest
from django.db import connection

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Message


@pytest.mark.django_db
def test_search_uses_the_trigram_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only; SQLite scans")
    ws = f.workspace()
    ch = f.channel(ws)
    ingest(
        ch, [f.msg(f"s{i}", author=f"@c{i}", text=f"order {i} arrived broken") for i in range(50)]
    )
    ingest(ch, [f.msg("s-x", author="@rosa", text="My Router keeps DROPPING the line")])
    query = Message.objects.filter(text__icontains="router keeps").values("conversation_id")
    assert [m.text for m in Message.objects.filter(text__icontains="router keeps")] == [
        "My Router keeps DROPPING the line"
    ]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # a table this small would be scanned
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "inbox_message_text_trgm" in plan, plan
