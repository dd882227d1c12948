"""Keeping a conversation's derived state true: the conversation facts of beancan.care (computed
by the same code as the audit) and the SLA deadline. Called by every action that adds messages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import duckdb
from django.utils import timezone

from beancan.care import facts as care_facts
from beancan.inbox.bulk import bulk_set
from beancan.inbox.models import BrandHandle, Conversation, Direction, Message
from beancan.inbox.triaging import conversation_triage
from beancan.sla.policy import WorkspaceSla
from beancan.workspaces.models import Workspace

_FACT_FIELDS = (
    "brand",
    "messages_count",
    "customer_initiated",
    "first_inbound_at",
    "first_response_at",
    "first_response_seconds",
    "answered",
    "customer_messages_before_reply",
    "brand_replies",
    "named_replies",
    "thanked",
    "first_sentiment",
    "after_reply_sentiment",
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "first_response_due_at",
    "next_response_due_at",
    "sla_breached_at",
    "urgency",
    "urgency_reasons",
    "urgency_next_at",
    "intent",
    "language",
)
TRIAGE_FIELDS = ("sentiment", "intent", "language", "text_urgency")


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def brand_handles(workspace: Workspace) -> list[str]:
    """The brand's handles: the workspace's own plus every author of an outbound message."""
    seen = list(BrandHandle.objects.filter(workspace=workspace).values_list("handle", flat=True))
    return [h.lstrip("@") for h in workspace.brand_handles] + seen


def message_columns(rows) -> dict[str, list]:
    """The columns `care.facts.load_messages` takes, from (pk, external_id, conversation_id,
    author_handle, direction, posted_at, in_reply_to, text) rows."""
    cols: dict[str, list] = {
        k: [] for k in ("k", "id", "conv", "author", "is_customer", "ts", "is_reply", "text")
    }
    for pk, ext, conv, author, direction, posted_at, in_reply_to, text in rows:
        cols["k"].append(pk)
        cols["id"].append(ext if ext is not None else f"beancan:{pk}")
        cols["conv"].append(conv)
        cols["author"].append(author)
        cols["is_customer"].append(direction == Direction.INBOUND)
        cols["ts"].append(posted_at.timestamp())
        cols["is_reply"].append(bool(in_reply_to))
        cols["text"].append(text)
    return cols


MESSAGE_FIELDS = (
    "pk",
    "external_id",
    "conversation_id",
    "author_handle",
    "direction",
    "posted_at",
    "in_reply_to",
    "text",
)


_local = threading.local()


def _duckdb() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB for the facts of a few conversations. Opening one costs
    about 15 ms, a third of a single-message ingest, so each thread keeps its own; every call
    replaces the tables it uses."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(config={"threads": 1})
    return con


def counted_messages(messages):
    """The messages the conversation facts and metrics count: not failed sends, and not survey
    questions (beancan's own follow-up, not a reply by the team)."""
    from django.apps import apps
    from django.db.models import Exists, OuterRef

    survey = apps.get_model("surveys", "Survey")
    return messages.exclude(send_state="failed").exclude(
        Exists(survey.objects.filter(message_id=OuterRef("pk")))
    )


def refresh_conversations(workspace: Workspace, conversation_ids: list[int]) -> list[Conversation]:
    """Recompute the facts and deadlines of these conversations from their messages; saves them
    and returns them. Private messages and notes are part of the conversation as sent."""
    if not conversation_ids:
        return []
    messages = list(
        counted_messages(Message.objects.filter(conversation_id__in=conversation_ids)).values_list(
            *MESSAGE_FIELDS, *TRIAGE_FIELDS
        )
    )
    n = len(MESSAGE_FIELDS)
    sentiment = {row[0]: row[n] for row in messages}
    con = _duckdb()
    care_facts.load_messages(con, message_columns(row[:n] for row in messages))
    care_facts.build_facts(con, brand_handles(workspace))
    care_facts.set_stored_sentiment(con, sentiment)
    facts = {f.conv: f for f in care_facts.facts_rows(con)}
    timeline: dict[int, list] = {}
    for row in sorted(messages, key=lambda r: (r[5], r[0])):
        timeline.setdefault(row[2], []).append(row)
    sla = WorkspaceSla.for_workspace(workspace.pk)
    vips = {h.lstrip("@").lower() for h in workspace.vip_handles or ()}
    now = timezone.now()
    conversations = list(Conversation.objects.filter(pk__in=conversation_ids))
    for conv in conversations:
        f = facts.get(conv.pk)
        rows = timeline.get(conv.pk, [])
        if f is None:
            continue
        conv.brand = f.brand
        conv.messages_count = f.messages
        conv.customer_initiated = f.customer_initiated
        conv.first_inbound_at = _dt(f.first_inbound_ts)
        conv.first_response_at = _dt(f.first_response_ts)
        conv.first_response_seconds = f.first_response_seconds
        conv.answered = f.answered
        conv.customer_messages_before_reply = f.customer_messages_before_reply
        conv.brand_replies = f.brand_replies
        conv.named_replies = f.named_replies
        conv.thanked = f.thanked
        conv.first_sentiment = f.first_sentiment
        conv.after_reply_sentiment = f.after_reply_sentiment
        conv.last_message_at = rows[-1][5] if rows else None
        inbound = [r for r in rows if r[4] == Direction.INBOUND]
        conv.last_inbound_at = inbound[-1][5] if inbound else None
        # Waiting: the earliest customer message after the brand's last message. A second
        # message from the customer does not restart the clock.
        waiting = None
        stretch: list = []  # the customer's messages since the brand's last one
        for r in rows:
            if r[4] == Direction.OUTBOUND:
                waiting = None
                stretch = []
            else:
                stretch.append(r)
                if waiting is None:
                    waiting = r[5]
        conv.waiting_since = waiting
        _set_triage(conv, inbound, stretch, vips, now, n)
        due = sla.due(waiting, conv.priority, f.answered) if waiting else None
        conv.first_response_due_at = due if not f.answered else None
        conv.next_response_due_at = due if f.answered else None
        if due is None or due > timezone.now():
            conv.sla_breached_at = None
    bulk_set(Conversation, conversations, list(_FACT_FIELDS))
    return conversations


def _set_triage(conv, inbound, stretch, vips, now, n) -> None:
    """The conversation's intent and language (its customer's latest telling ones) and urgency
    (of the messages still waiting for a reply)."""
    conv.intent = next((r[n + 1] for r in reversed(inbound) if r[n + 1] not in ("", "other")), "")
    conv.intent = conv.intent or (inbound[-1][n + 1] if inbound else "")
    conv.language = next((r[n + 2] for r in reversed(inbound) if r[n + 2] not in ("", "und")), "")
    waiting = [{"text_urgency": r[n + 3] or {}} for r in stretch]
    vip = any(r[3].lstrip("@").lower() in vips for r in stretch)
    for name, value in conversation_triage(waiting, conv.waiting_since, now, vip).items():
        setattr(conv, name, value)


def due_at(conv: Conversation) -> str | None:
    """The conversation's current reply deadline, ISO 8601, for events and the API."""
    due = conv.first_response_due_at or conv.next_response_due_at
    return due.isoformat() if due else None
