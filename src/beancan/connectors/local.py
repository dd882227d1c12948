"""Channels with nowhere to post (a replay, an import): a reply is recorded as sent, locally."""

from __future__ import annotations

from django.utils import timezone

from beancan.connectors.base import Connector, Outgoing, Sent, register


@register("local")
class LocalConnector(Connector):
    def send(self, message: Outgoing) -> Sent:
        return Sent(external_id=f"local-{message.idempotency_key}", posted_at=timezone.now())
