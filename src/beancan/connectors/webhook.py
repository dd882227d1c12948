"""The webhook channel: messages come in as signed POSTs (see beancan.api.webhooks) and replies go
out as signed POSTs to the channel's `send_url`, with an Idempotency-Key header the receiver uses
to post once however often it is asked."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

import httpx

from beancan.connectors.base import Connector, Outgoing, SendError, Sent, register

SIGNATURE_HEADER = "X-Beancan-Signature"
TIMEOUT = 10.0


def sign(secret: str, body: bytes) -> str:
    """The signature header value for a body: sha256=<hex HMAC-SHA256 with the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether a presented signature header is right for this body (constant time)."""
    return bool(secret) and bool(header) and hmac.compare_digest(sign(secret, body), header)


@register("webhook")
class WebhookConnector(Connector):
    def send(self, message: Outgoing) -> Sent:
        url = self.channel.config.get("send_url")
        if not url:
            raise SendError("webhook channel has no send_url", temporary=False)
        body = json.dumps(
            {
                "idempotency_key": message.idempotency_key,
                "text": message.text,
                "private": message.private,
                "in_reply_to": message.in_reply_to,
                "recipient": message.recipient,
                "conversation_key": message.conversation_key,
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            SIGNATURE_HEADER: sign(self.channel.secret or "", body),
        }
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise SendError(f"HTTP {response.status_code} from {url}")
        if response.status_code >= 400:
            raise SendError(
                f"HTTP {response.status_code} from {url}: {response.text[:200]}", temporary=False
            )
        try:
            data = response.json()
            external_id = str(data["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SendError(f"{url} answered without an id", temporary=False) from exc
        posted = data.get("posted_at")
        return Sent(external_id, datetime.fromisoformat(posted) if posted else None)
