"""Factories for the service's tests: real rows through the real actions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from beancan.inbox.ingest import IncomingMessage
from beancan.inbox.models import Channel
from beancan.server.commands import create_token, create_workspace
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Membership

_ids = itertools.count(1)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def workspace(name: str | None = None, brands=("brand",)):
    ws, _ = create_workspace(name or f"ws-{next(_ids)}", list(brands))
    return ws


def user(username: str | None = None, ws=None, role: str = "agent", password: str = "pw-Long-1"):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user(username or f"user{next(_ids)}", password=password)
    if ws is not None:
        Membership.objects.create(workspace=ws, user=u, role=role)
    return u


def channel(ws, kind: str = "webhook", name: str | None = None, **fields) -> Channel:
    return Channel.objects.create(
        workspace=ws, kind=kind, name=name or f"ch-{next(_ids)}", **fields
    )


def token(ws, role: str = "agent") -> str:
    return create_token(ws, role, f"t{next(_ids)}")


def actor(ws, u) -> Actor:
    return Actor.member(u, ws)


def msg(
    ext: str | None = None,
    author: str = "alice",
    minutes: float = 0,
    text: str = "hello @brand my order is late",
    direction: str = "in",
    **fields,
) -> IncomingMessage:
    return IncomingMessage(
        external_id=ext or f"m{next(_ids)}",
        author=author,
        posted_at=T0 + timedelta(minutes=minutes),
        text=text,
        direction=direction,
        **fields,
    )


def database_url() -> str:
    """The URL of the database the tests are using, for a `beancan` subprocess."""
    from django.db import connection

    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def service_env(**extra: str) -> dict[str, str]:
    """The environment for a `beancan` subprocess on the tests' database, key and data folder."""
    import os

    from django.conf import settings

    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BEANCAN_SECRET_KEY": settings.SECRET_KEY,
        "BEANCAN_DATA_DIR": str(settings.DATA_DIR),
        # A worker in a test embeds nothing unless the test is about similar conversations (the
        # live server's pages show the panel, as in production: the web never embeds).
        "BEANCAN_SIMILAR": "off",
        **extra,
    }


def run_worker_once(worker_id: str = "test") -> None:
    """Run every queued task with the real django-tasks database worker, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
