"""`beancan replay`: an export fed through `ingest()` as live traffic.

The export is read, checked and threaded by the audit's own readers; each message carries its
reply-chain root as the network's conversation id (as X's conversation_id or a Bluesky root do),
so the live conversations are the audit's conversations and `beancan metrics` equals
`beancan audit` on the same file.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from django.utils import timezone

from beancan.audit.engine import MEMORY_LIMIT, thread_export
from beancan.audit.readers import Rejection, Source, iter_records
from beancan.inbox.ingest import IncomingMessage, ingest
from beancan.inbox.models import Channel, ChannelKind, Direction
from beancan.workspaces.models import Workspace

BATCH = 2000


@dataclass
class ReplayResult:
    valid: int
    ingested: int
    duplicates: int
    rejections: list[Rejection]
    seconds: float


def _messages(con: duckdb.DuckDBPyConnection, source: Source) -> Iterator[tuple]:
    """(id, author, is_customer, ts, root id, text, parent id) in the order of events."""
    wanted = {row[0] for row in con.execute("SELECT id FROM msgs").fetchall()}
    records = {mid: (text, parent) for mid, text, parent in iter_records(source, wanted)}
    cur = con.execute(
        """SELECT m.id, m.author, m.is_customer, m.ts, r.id AS root
           FROM msgs m JOIN msgs r ON r.k = m.conv ORDER BY m.ord"""
    )
    while batch := cur.fetchmany(10_000):
        for mid, author, is_customer, ts, root in batch:
            text, parent = records.get(mid, ("", None))
            yield mid, author, is_customer, ts, root, text, parent


def replay(
    workspace: Workspace,
    source: Source,
    *,
    channel_name: str = "replay",
    speed: float | None = None,
    live_times: bool = False,
    strict: bool = False,
    on_batch: Callable[[int, int], object] | None = None,
) -> ReplayResult:
    """Feed an export into a workspace; `speed` None is as fast as possible, else a multiple of
    real time. `live_times` stamps messages with the time they are fed instead of their own."""
    started = time.perf_counter()
    channel, _ = Channel.objects.get_or_create(
        workspace=workspace, name=channel_name, defaults={"kind": ChannelKind.REPLAY}
    )
    handles = [h.lstrip("@") for h in source.brand_handles]
    if handles:
        workspace.brand_handles = sorted(set(workspace.brand_handles) | set(handles))
        workspace.save(update_fields=["brand_handles"])
    with tempfile.TemporaryDirectory(prefix="beancan-replay-") as tmp:
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": tmp})
        try:
            rejections, valid, _ = thread_export(con, source, strict=strict)
            ingested = duplicates = 0
            batch: list[IncomingMessage] = []
            first_ts = None
            wall0 = time.monotonic()

            def flush() -> None:
                nonlocal ingested, duplicates
                if batch:
                    result = ingest(channel, batch, actor="replay")
                    ingested += len(result.created)
                    duplicates += result.duplicates
                    batch.clear()
                    if on_batch is not None:
                        on_batch(ingested + duplicates, valid)

            for mid, author, is_customer, ts, root, text, parent in _messages(con, source):
                if speed is not None:
                    first_ts = ts if first_ts is None else first_ts
                    wait = (ts - first_ts) / speed - (time.monotonic() - wall0)
                    if wait > 0:
                        flush()
                        time.sleep(wait)
                posted = timezone.now() if live_times else datetime.fromtimestamp(ts, UTC)
                batch.append(
                    IncomingMessage(
                        external_id=mid,
                        author=author,
                        posted_at=posted,
                        text=text,
                        direction=Direction.INBOUND if is_customer else Direction.OUTBOUND,
                        in_reply_to=parent or "",
                        conversation_key=root,
                    )
                )
                if len(batch) >= BATCH:
                    flush()
            flush()
        finally:
            con.close()
    return ReplayResult(valid, ingested, duplicates, rejections, time.perf_counter() - started)
