"""Deadlines stored on conversations follow the workspace's business hours and holidays."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import factories as f
from beancan.inbox.actions import conversation_set_priority
from beancan.inbox.ingest import IncomingMessage, ingest
from beancan.inbox.models import Conversation
from beancan.sla.models import Holiday, SlaPolicy

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_friday_evening_mention_is_due_on_monday_and_holidays_are_skipped():
    ws = f.workspace()
    policy = SlaPolicy.objects.get(workspace=ws)
    policy.timezone = "Europe/Paris"
    policy.business_hours = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    policy.first_response = {"urgent": 900, "high": 1800, "normal": 7200, "low": 14400}
    policy.save()
    Holiday.objects.create(policy=policy, date="2026-11-11", name="Armistice")
    ch = f.channel(ws)
    friday = IncomingMessage("fri", "nora", _at(2026, 11, 13, 16, 0), "hello @brand?")
    ingest(ch, [friday])
    conv = Conversation.objects.get(messages__external_id="fri")
    assert conv.first_response_due_at == _at(2026, 11, 16, 10, 0)

    tuesday = IncomingMessage("tue", "omar", _at(2026, 11, 10, 16, 30), "anyone?")
    ingest(ch, [tuesday])
    conv = Conversation.objects.get(messages__external_id="tue")
    assert conv.first_response_due_at == _at(2026, 11, 12, 10, 30)

    # Urgent: 15 minutes of business time from Tuesday 16:30.
    agent = f.user(ws=ws)
    conv = conversation_set_priority(f.actor(ws, agent), conv, "urgent")
    assert conv.first_response_due_at == _at(2026, 11, 10, 16, 45)
