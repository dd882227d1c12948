"""The one interface every network connector implements for sending.

A connector's `send` must be idempotent by the message's idempotency key: called twice with the
same key (a retry after a crash), the network ends up with one post. Networks that take an
idempotency key get it; for the others a connector looks for its own earlier post first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class SendError(Exception):
    """Sending failed; `temporary` errors are retried with backoff, others fail at once."""

    def __init__(self, message: str, *, temporary: bool = True):
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class Sent:
    external_id: str
    posted_at: datetime | None = None


@dataclass(frozen=True)
class Outgoing:
    """What a connector needs to post one reply."""

    idempotency_key: str
    text: str
    private: bool
    in_reply_to: str
    recipient: str  # the customer's handle
    conversation_key: str | None


class Connector:
    kind = "base"

    def __init__(self, channel):
        self.channel = channel

    def send(self, message: Outgoing) -> Sent:  # pragma: no cover - interface
        raise NotImplementedError


_REGISTRY: dict[str, type[Connector]] = {}


def register(kind: str):
    def wrap(cls: type[Connector]) -> type[Connector]:
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return wrap


def connector_for(channel) -> Connector:
    """The connector that sends for this channel."""
    from beancan.connectors import local, webhook  # noqa: F401 - they register themselves

    cls = _REGISTRY.get(channel.kind) or _REGISTRY["local"]
    if channel.config.get("send_url"):
        cls = _REGISTRY["webhook"]
    return cls(channel)
