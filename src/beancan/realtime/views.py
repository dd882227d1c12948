"""Server-sent events per workspace: `GET /realtime/<workspace>/events`.

Authenticated by the session (the inbox pages) or a bearer token, checked again every REAUTH
seconds: a revoked token, a deleted session or a removed member stops receiving. Resumes after
the id in the Last-Event-ID header (or ?after=), so a reconnecting client misses nothing."""

from __future__ import annotations

import asyncio
import contextvars
import json
import time

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse

from beancan.realtime.hub import _max_id, hub
from beancan.realtime.models import Event

KEEPALIVE = 15.0
REAUTH = 15.0
BATCH = 500


def _actor_for(request, workspace_name: str):
    from beancan.api.auth import actor_from_request

    return actor_from_request(request, workspace_name)


def _still_allowed(request, workspace_name: str) -> bool:
    """Whether the caller may still listen: a live token, or a session that still exists for a
    user still active, with the same password, and still a member who may view."""
    from django.contrib.auth import get_user

    from beancan.api.auth import bearer

    if bearer(request) is None:
        session = request.session
        if not session.session_key or not session.exists(session.session_key):
            return False
        request.user = get_user(request)  # anonymous if deactivated or the password changed
    try:
        _actor_for(request, workspace_name).require("view")
    except PermissionDenied:
        return False
    finally:
        connection.close()
    return True


def _after(request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after")
    if raw is None:
        return None
    try:
        return max(0, int(raw))
    except ValueError:
        return None


def _fetch(workspace_id: int, after: int) -> list[tuple[int, str, dict]]:
    try:
        return list(
            Event.objects.filter(workspace_id=workspace_id, id__gt=after)
            .order_by("id")
            .values_list("id", "type", "payload")[:BATCH]
        )
    finally:
        # A stream lasts for hours: give the connection back (to the pool on PostgreSQL)
        # between reads rather than holding one per open stream.
        connection.close()


# Reads of the events table in flight, by (workspace, after, hub version): every stream of the
# process that waits on the same workspace at the same point shares one query. Without this an
# event woke each open page's stream into its own read (50 agents: 50 queries per event).
_reads: dict[tuple, asyncio.Task] = {}


async def _fetch_shared(workspace_id: int, after: int, version: tuple) -> list:
    """The events after `after`, read once for all streams asking with the same hub version
    (each took that version before asking, so the shared read is as fresh as their own)."""
    key = (workspace_id, after, version)
    task = _reads.get(key)
    if task is None:
        # Its own context: the read belongs to no single stream (one that disconnects must not
        # cancel it for the others), and runs in the default thread pool.
        task = asyncio.get_running_loop().create_task(
            sync_to_async(_fetch, thread_sensitive=False)(workspace_id, after),
            context=contextvars.Context(),
        )
        _reads[key] = task
        task.add_done_callback(lambda _: _reads.pop(key, None))
    return await asyncio.shield(task)


def _open(request, workspace_name: str, after: int | None) -> tuple[int, int]:
    """Check the caller may listen; the workspace's id and where its stream starts. The
    connection goes back to the pool at once: the stream lasts for hours, and its reads run in
    other threads (measured: 50 open pages held every connection of the pools, and the pages
    themselves waited 20 s for one)."""
    try:
        actor = _actor_for(request, workspace_name)
        actor.require("view")
        return actor.workspace.pk, _max_id() if after is None else after
    finally:
        connection.close()


async def events(request, workspace: str):
    try:
        ws_id, after = await sync_to_async(_open)(request, workspace, _after(request))
    except PermissionDenied as exc:
        return HttpResponse(
            json.dumps({"detail": str(exc)}), status=403, content_type="application/json"
        )

    async def stream():
        nonlocal after
        yield f"retry: 1000\nid: {after}\n\n"
        checked = time.monotonic()
        while True:
            if time.monotonic() - checked >= REAUTH:
                if not await sync_to_async(_still_allowed)(request, workspace):
                    return  # the client reconnects, and is refused
                checked = time.monotonic()
            version = hub.version(ws_id)
            rows = await _fetch_shared(ws_id, after, version)
            for event_id, type_, payload in rows:
                after = event_id
                yield f"id: {event_id}\nevent: {type_}\ndata: {json.dumps(payload)}\n\n"
            if len(rows) == BATCH:
                continue
            if not await hub.wait(ws_id, version, KEEPALIVE):
                yield ": keepalive\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
