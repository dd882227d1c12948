"""Wakes the SSE streams of a web process when events are committed, from any process.

PostgreSQL: one LISTEN connection per process; NOTIFY arrives at commit. SQLite (one machine):
one poll of the events table every POLL seconds per process, whatever the number of clients.
Either way the stream then reads the events table from its last id, so nothing is missed.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from asgiref.sync import sync_to_async
from django.db import connection

from beancan.realtime.events import CHANNEL

log = logging.getLogger(__name__)
POLL = 0.2


class Hub:
    def __init__(self) -> None:
        self._waiters: dict[int, set[asyncio.Event]] = {}
        self._versions: dict[int, int] = {}
        # Moves when the hub (re)starts listening: a commit made before that was never signalled.
        self._generation = 0
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            # A fresh context: the hub belongs to the process, not to the request that started it
            # (and so not to that request's thread for database calls).
            self._task = loop.create_task(self._run(), context=contextvars.Context())

    def version(self, workspace_id: int) -> tuple[int, int]:
        """A value that changes each time the workspace's events may have changed."""
        self._ensure_started()
        return (self._generation, self._versions.get(workspace_id, 0))

    async def wait(self, workspace_id: int, seen_version: tuple[int, int], timeout: float) -> bool:
        """Wait until events of the workspace may have been committed since `seen_version`
        (taken before the caller last read the events table), or the timeout."""
        if self.version(workspace_id) != seen_version:
            return True
        event = asyncio.Event()
        self._waiters.setdefault(workspace_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.get(workspace_id, set()).discard(event)

    def _wake(self, workspace_id: int) -> None:
        self._versions[workspace_id] = self._versions.get(workspace_id, 0) + 1
        for event in self._waiters.get(workspace_id, ()):
            event.set()

    def _wake_all(self) -> None:
        """Every stream reads again, including those between a read and their wait."""
        self._generation += 1
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()

    async def _run(self) -> None:
        vendor = connection.vendor
        while True:
            try:
                if vendor == "postgresql":
                    await self._listen()
                else:
                    await self._poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away: wake everyone, retry shortly
                log.exception("realtime hub: reconnecting")
                self._wake_all()
                await asyncio.sleep(1)

    async def _listen(self) -> None:
        import psycopg
        from django.db import connections

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        params.pop("server_side_binding", None)
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self._wake_all()  # anything committed while we were connecting
            async for note in conn.notifies():
                try:
                    self._wake(int(note.payload))
                except ValueError:
                    continue

    async def _poll(self) -> None:
        from beancan.realtime.models import Event

        def latest() -> dict[int, int]:
            from django.db.models import Max

            rows = Event.objects.values("workspace_id").annotate(last=Max("id"))
            return {r["workspace_id"]: r["last"] for r in rows.filter(id__gt=self._seen_floor)}

        self._seen_floor = await sync_to_async(_max_id)()
        self._wake_all()  # anything committed before the floor was taken
        seen: dict[int, int] = {}
        while True:
            await asyncio.sleep(POLL)
            for ws, last in (await sync_to_async(latest)()).items():
                if seen.get(ws) != last:
                    seen[ws] = last
                    self._wake(ws)
            self._seen_floor = max([self._seen_floor, *seen.values()])


def _max_id() -> int:
    from django.db.models import Max

    from beancan.realtime.models import Event

    return Event.objects.aggregate(m=Max("id"))["m"] or 0


hub = Hub()
