"""Streams of one process waiting at the same point share one read of the events table."""

from __future__ import annotations

import asyncio

import pytest
from django.db import transaction

import factories as f
from beancan.realtime.events import publish
from beancan.realtime.views import _fetch_shared


@pytest.mark.django_db(transaction=True)
def test_streams_at_the_same_point_share_one_read_and_later_ones_read_again():
    ws = f.workspace("acme")
    with transaction.atomic():
        publish(ws.pk, "conversation.viewers", {"conversation_id": 1, "viewers": []})

    async def many(version) -> list:
        return await asyncio.gather(*(_fetch_shared(ws.pk, 0, version) for _ in range(20)))

    first = asyncio.run(many((0, 1)))
    assert len(first[0]) == 1 and first[0][0][1] == "conversation.viewers"
    assert all(rows is first[0] for rows in first)  # one query's rows, handed to all 20
    with transaction.atomic():
        publish(ws.pk, "conversation.viewers", {"conversation_id": 2, "viewers": []})
    # A new hub version (the stream was woken again) is a new read that sees the new event.
    again = asyncio.run(many((0, 2)))
    assert [r[2]["conversation_id"] for r in again[0]] == [1, 2]
