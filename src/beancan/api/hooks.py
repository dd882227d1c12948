"""The inbound webhook channel: POST /hooks/<channel id>, one message or {"messages": [...]},
signed with HMAC-SHA256 of the raw body with the channel's secret."""

from __future__ import annotations

import json

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.http.request import RequestDataTooBig
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from beancan.api import io
from beancan.api.service import incoming, ingest_out
from beancan.connectors.webhook import SIGNATURE_HEADER, signature_ok
from beancan.inbox.ingest import IngestError, ingest
from beancan.inbox.models import Channel, ChannelKind

MAX_MESSAGES = 1000


class HookBody(pydantic.BaseModel):
    messages: list[io.MessageFields] = pydantic.Field(..., min_length=1, max_length=MAX_MESSAGES)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _field_errors(exc: pydantic.ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


@csrf_exempt
@require_POST
def webhook(request, channel_id: int):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _error(400, "Content-Length: not a number")
    if limit is not None and declared > limit:
        return _error(413, f"request body over {limit} bytes")
    channel = Channel.objects.filter(pk=channel_id, kind=ChannelKind.WEBHOOK, active=True).first()
    if channel is None:
        return _error(404, "no such webhook channel")
    try:
        body = request.body
    except RequestDataTooBig:
        return _error(413, f"request body over {limit} bytes")
    if not signature_ok(channel.secret, body, request.headers.get(SIGNATURE_HEADER)):
        return _error(401, f"{SIGNATURE_HEADER}: missing or wrong signature")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body: not valid JSON")
    if isinstance(data, dict) and "messages" not in data:
        data = {"messages": [data]}
    try:
        parsed = HookBody.model_validate(data)
    except pydantic.ValidationError as exc:
        return _error(400, _field_errors(exc))
    try:
        result = ingest(
            channel, [incoming(m) for m in parsed.messages], actor=f"hook:{channel.name}"
        )
    except (IngestError, ValidationError) as exc:
        return _error(400, str(exc))
    return JsonResponse(ingest_out(result))
