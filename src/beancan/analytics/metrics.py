"""Workspace metrics from the live database, by the same definitions as `beancan audit`:
the stored messages go through `care.facts` and `care.metrics` exactly as an export does."""

from __future__ import annotations

from datetime import datetime

import duckdb
from django.db.models import Min

from beancan.care import facts as care_facts
from beancan.care.metrics import compute_metrics
from beancan.inbox.models import Conversation, Message
from beancan.inbox.state import MESSAGE_FIELDS, brand_handles, counted_messages, message_columns
from beancan.workspaces.models import Workspace

DEFAULT_TARGET_SECONDS = 3600


def workspace_metrics(
    workspace: Workspace,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
) -> dict:
    """The audit's JSON report for the conversations of a workspace that started in
    [since, until) (by their first message on the network)."""
    convs = Conversation.objects.filter(workspace=workspace).annotate(
        started=Min("messages__posted_at")
    )
    if since is not None:
        convs = convs.filter(started__gte=since)
    if until is not None:
        convs = convs.filter(started__lt=until)
    messages = counted_messages(Message.objects.filter(workspace=workspace))
    if since is not None or until is not None:
        messages = messages.filter(conversation__in=convs.values("pk"))
    rows = list(messages.values_list(*MESSAGE_FIELDS, "sentiment").iterator(chunk_size=20_000))
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        care_facts.load_messages(con, message_columns(row[:-1] for row in rows))
        care_facts.build_facts(con, brand_handles(workspace))
        sentiment = {row[0]: row[-1] for row in rows}
        care_facts.set_stored_sentiment(con, sentiment)
        overall, brands = compute_metrics(con, target_seconds=target_seconds, sentiment=True)
    finally:
        con.close()
    return {
        "source": f"workspace {workspace.name}",
        "rows": {"valid": len(rows), "rejected": 0, "rejections": []},
        "target_seconds": target_seconds,
        "overall": overall,
        "brands": brands,
    }
