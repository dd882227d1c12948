"""The JSON API (django-ninja, OpenAPI 3 at /api/docs). Thin endpoints: parse, call one action or
selector, render. The caller is an Actor: a bearer token's, or a logged-in member's (with
`?workspace=`), and every query starts from that actor's workspace."""

from __future__ import annotations

from datetime import UTC
from functools import wraps
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.http.request import RequestDataTooBig
from ninja import Field, NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from beancan.analytics.metrics import workspace_metrics
from beancan.api import io
from beancan.api.auth import actor_from_token
from beancan.inbox import actions
from beancan.inbox.ingest import IncomingMessage, IngestError, ingest
from beancan.inbox.models import (
    QUEUE_ORDER,
    CannedResponse,
    Channel,
    Contact,
    Conversation,
    Identity,
    Message,
    Note,
)
from beancan.inbox.state import due_at
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Team, Workspace

MAX_PAGE = 200
MAX_OFFSET = 1_000_000


def _same_workspace(request, actor: Actor) -> Actor:
    name = request.GET.get("workspace")
    if name is not None and name != actor.workspace.name:
        raise PermissionDenied("this token belongs to another workspace")
    return actor


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        actor = actor_from_token(token)
        return None if actor is None else _same_workspace(request, actor)


class MemberSession(SessionAuth):
    """A logged-in member, for the workspace named by `?workspace=`. CSRF is checked only once
    the session is known to be a login, so a request without credentials gets 401, not 403."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)  # checks CSRF on unsafe methods

    def authenticate(self, request, key):
        name = request.GET.get("workspace")
        if not name:
            raise HttpError(400, "workspace: query parameter required with a session login")
        workspace = Workspace.objects.filter(name=name).first()
        if workspace is None:
            raise PermissionDenied("not a member of this workspace")
        return Actor.member(request.user, workspace)


def _limit_body(run):
    """Refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413) or with a bad Content-Length (400)
    before authentication and parsing."""

    @wraps(run)
    def checked(request, *args, **kwargs):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return api.create_response(
                request, {"detail": "Content-Length: not a number of bytes"}, status=400
            )
        try:
            request.body  # noqa: B018 - Django checks the declared and the actual size
        except RequestDataTooBig:
            return api.create_response(request, {"detail": "request body too large"}, status=413)
        return run(request, *args, **kwargs)

    return checked


api = NinjaAPI(
    title="beancan",
    version="1",
    description="Social customer care: ingest, conversations, replies, contacts, metrics.",
    auth=[TokenAuth(), MemberSession()],
    urls_namespace="api",
)
api.add_decorator(_limit_body, mode="view")


def _detail(status: int, message: str):
    return api.create_response(None, {"detail": message}, status=status)


def _field_errors(exc: NinjaValidationError) -> str:
    parts = []
    for err in exc.errors[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "payload")]
        parts.append(f"{'.'.join(loc) or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid input"


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": _field_errors(exc)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def _missing(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(Http404)
def _missing_404(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(DjangoValidationError)
def _rejected(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(IngestError)
def _bad_message(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(DataError)
def _unstorable(request, exc):
    return api.create_response(
        request, {"detail": f"a value cannot be stored: {str(exc).splitlines()[0]}"}, status=400
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, {"detail": "request body too large"}, status=413)


def _actor(request, action: str = "view") -> Actor:
    actor: Actor = request.auth
    actor.require(action)
    return actor


# -- messages ------------------------------------------------------------------------------------

messages = Router(tags=["messages"])


def _channel(actor: Actor, ref: int | str) -> Channel:
    lookup = {"pk": ref} if isinstance(ref, int) else {"name": ref}
    channel = Channel.objects.in_workspace(actor.workspace).filter(active=True, **lookup).first()
    if channel is None:
        raise DjangoValidationError(f"channel: no active channel {ref!r} in this workspace")
    return channel


def incoming(m: io.MessageFields) -> IncomingMessage:
    """The ingest record for an API or webhook message."""
    return IncomingMessage(
        external_id=m.external_id,
        author=m.author,
        posted_at=m.posted_at,
        text=m.text,
        direction=m.direction,
        in_reply_to=m.in_reply_to,
        conversation_key=m.conversation_key,
        private=m.private,
        author_name=m.author_name,
        author_profile=m.author_profile.dict(),
        raw=m.raw,
    )


def ingest_out(result) -> dict:
    return {
        "created": [m.pk for m in result.created],
        "duplicates": result.duplicates,
        "conversations": sorted(c.pk for c in result.conversations),
    }


@messages.post("/messages", response={200: io.IngestOut, 400: io.Detail, 403: io.Detail})
def message_ingest(request, payload: io.MessageIn):
    """Ingest one message (a duplicate external id is counted, not stored twice)."""
    actor = _actor(request, "act")
    channel = _channel(actor, payload.channel)
    return ingest_out(ingest(channel, [incoming(payload)], actor=actor.label))


@messages.post("/messages/batch", response={200: io.IngestOut, 400: io.Detail, 403: io.Detail})
def message_ingest_batch(request, payload: io.BatchIn):
    """Ingest up to 1,000 messages of one channel in one transaction."""
    actor = _actor(request, "act")
    channel = _channel(actor, payload.channel)
    return ingest_out(ingest(channel, [incoming(m) for m in payload.messages], actor=actor.label))


# -- conversations -------------------------------------------------------------------------------

conversations = Router(tags=["conversations"])


def conversation_queryset(actor: Actor):
    return (
        Conversation.objects.in_workspace(actor.workspace)
        .select_related("contact")
        .prefetch_related(
            "tags",
            Prefetch(
                "contact__identities", queryset=Identity.objects.order_by("network", "handle")
            ),
        )
    )


def conversation_out(conv: Conversation) -> dict:
    contact = conv.contact
    return {
        "id": conv.pk,
        "channel_id": conv.channel_id,
        "status": conv.status,
        "priority": conv.priority,
        "assignee_id": conv.assignee_id,
        "team_id": conv.team_id,
        "contact": None
        if contact is None
        else {
            "id": contact.pk,
            "name": contact.name,
            "handles": [i.handle for i in contact.identities.all()],
        },
        "tags": sorted(t.name for t in conv.tags.all()),
        "brand": conv.brand,
        "due_at": due_at(conv),
        "waiting_since": conv.waiting_since,
        "last_message_at": conv.last_message_at,
        "messages_count": conv.messages_count,
        "customer_initiated": conv.customer_initiated,
        "answered": conv.answered,
        "first_response_seconds": conv.first_response_seconds,
        "customer_messages_before_reply": conv.customer_messages_before_reply,
        "first_sentiment": conv.first_sentiment,
        "after_reply_sentiment": conv.after_reply_sentiment,
        "snoozed_until": conv.snoozed_until,
        "urgency": conv.urgency,
        "urgency_reasons": list(conv.urgency_reasons or ()),
        "intent": conv.intent,
        "language": conv.language,
    }


def message_out(m: Message) -> dict:
    return {
        "id": m.pk,
        "external_id": m.external_id,
        "direction": m.direction,
        "private": m.private,
        "author": m.author_handle,
        "posted_at": m.posted_at,
        "received_at": m.received_at,
        "text": m.text,
        "in_reply_to": m.in_reply_to,
        "sentiment": m.sentiment,
        "sentiment_label": m.sentiment_label,
        "sentiment_confidence": m.sentiment_confidence,
        "intent": m.intent,
        "intent_confidence": m.intent_confidence,
        "spam": m.spam,
        "language": m.language,
        "triage_model": m.triage_model,
        "corrected": sorted(c.field for c in m.corrections.all()),
        "send_state": m.send_state,
        "send_error": m.send_error,
        "idempotency_key": m.idempotency_key,
    }


class ConversationFilters(io.In):
    status: str | None = Field(None, max_length=10)
    assignee: str | None = Field(None, max_length=20)  # an id, "me" or "none"
    channel: io.RowId | None = None
    priority: str | None = Field(None, max_length=8)
    tag: str | None = Field(None, max_length=50)
    contact: io.RowId | None = None
    intent: str | None = Field(None, max_length=10)
    language: str | None = Field(None, max_length=8)
    q: str | None = Field(None, max_length=200)
    since: io.When | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@conversations.get("/conversations", response={200: io.ConversationPage, 400: io.Detail})
def conversation_list(request, filters: Query[ConversationFilters]):
    """Conversations of the workspace in the inbox's order: the most urgent first, then the
    nearest deadline."""
    actor = _actor(request)
    qs = conversation_queryset(actor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee == "me":
        qs = qs.filter(assignee=actor.user) if actor.user else qs.none()
    elif filters.assignee:
        if not filters.assignee.isdigit() or int(filters.assignee) >= 2**63:
            raise DjangoValidationError("assignee: a user id, me or none")
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.channel is not None:
        qs = qs.filter(channel_id=filters.channel)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.contact is not None:
        qs = qs.filter(contact_id=filters.contact)
    if filters.intent:
        qs = qs.filter(intent=filters.intent)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.q:
        qs = qs.filter(
            pk__in=Message.objects.in_workspace(actor.workspace)
            .filter(text__icontains=filters.q)
            .values("conversation_id")
        )
    if filters.since:
        if filters.since.tzinfo is None:
            raise DjangoValidationError("since: a timezone-aware date and time is required")
        qs = qs.filter(last_message_at__gte=filters.since.astimezone(UTC))
    qs = qs.distinct().order_by(*QUEUE_ORDER)
    page = qs[filters.offset : filters.offset + filters.limit]
    return {"count": qs.count(), "items": [conversation_out(c) for c in page]}


@conversations.get("/conversations/{conversation_id}", response={200: io.ConversationDetail})
def conversation_get(request, conversation_id: int):
    """One conversation with its messages (in time order) and notes."""
    actor = _actor(request)
    conv = conversation_queryset(actor).get(pk=conversation_id)
    out = conversation_out(conv)
    out["messages"] = [
        message_out(m)
        for m in conv.messages.order_by("posted_at", "pk").prefetch_related("corrections")
    ]
    out["notes"] = [
        {
            "id": n.pk,
            "author": n.author.get_username() if n.author else None,
            "text": n.text,
            "created_at": n.created_at,
        }
        for n in Note.objects.filter(conversation=conv).select_related("author").order_by("pk")
    ]
    return out


def _conversation(actor: Actor, conversation_id: int) -> Conversation:
    return Conversation.objects.in_workspace(actor.workspace).get(pk=conversation_id)


def _fresh(actor: Actor, conversation_id: int) -> dict:
    return conversation_out(conversation_queryset(actor).get(pk=conversation_id))


ACTION_RESPONSES = {200: io.ConversationOut, 400: io.Detail, 403: io.Detail, 404: io.Detail}


@conversations.post("/conversations/{conversation_id}/assign", response=ACTION_RESPONSES)
def conversation_assign(request, conversation_id: int, payload: io.AssignIn):
    actor = _actor(request, "act")
    conv = _conversation(actor, conversation_id)
    assignee = team = None
    if payload.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise DjangoValidationError("assignee_id: no such agent in this workspace")
    if payload.team_id is not None:
        team = Team.objects.filter(workspace=actor.workspace, pk=payload.team_id).first()
        if team is None:
            raise DjangoValidationError("team_id: no such team in this workspace")
    actions.conversation_assign(actor, conv, assignee, team)
    return _fresh(actor, conversation_id)


@conversations.post(
    "/conversations/{conversation_id}/reply",
    response={200: io.MessageOut, 400: io.Detail, 403: io.Detail, 404: io.Detail},
)
def conversation_reply(request, conversation_id: int, payload: io.ReplyIn):
    """Queue a public or private reply; the worker sends it. Retrying with the same
    idempotency_key returns the same reply."""
    actor = _actor(request, "act")
    conv = _conversation(actor, conversation_id)
    reply = actions.reply_send(
        actor, conv, payload.text, private=payload.private, idempotency_key=payload.idempotency_key
    )
    return message_out(reply)


@conversations.post(
    "/conversations/{conversation_id}/notes",
    response={200: io.NoteOut, 400: io.Detail, 403: io.Detail, 404: io.Detail},
)
def conversation_note(request, conversation_id: int, payload: io.NoteIn):
    actor = _actor(request, "act")
    note = actions.note_add(actor, _conversation(actor, conversation_id), payload.text)
    return {"id": note.pk, "author": actor.label, "text": note.text, "created_at": note.created_at}


@conversations.post(
    "/conversations/{conversation_id}/tags",
    response={200: io.TagsOut, 400: io.Detail, 403: io.Detail, 404: io.Detail},
)
def conversation_tags(request, conversation_id: int, payload: io.TagsIn):
    actor = _actor(request, "act")
    conv = _conversation(actor, conversation_id)
    return {"tags": actions.conversation_tag(actor, conv, payload.add, payload.remove)}


@conversations.post("/conversations/{conversation_id}/priority", response=ACTION_RESPONSES)
def conversation_priority(request, conversation_id: int, payload: io.PriorityIn):
    actor = _actor(request, "act")
    actions.conversation_set_priority(
        actor, _conversation(actor, conversation_id), payload.priority
    )
    return _fresh(actor, conversation_id)


@conversations.post("/conversations/{conversation_id}/snooze", response=ACTION_RESPONSES)
def conversation_snooze(request, conversation_id: int, payload: io.SnoozeIn):
    actor = _actor(request, "act")
    if payload.until is not None and payload.until.tzinfo is None:
        raise DjangoValidationError("until: a timezone-aware date and time is required")
    until = payload.until.astimezone(UTC) if payload.until else None
    actions.conversation_snooze(
        actor, _conversation(actor, conversation_id), until, payload.until_reply
    )
    return _fresh(actor, conversation_id)


@conversations.post("/conversations/{conversation_id}/resolve", response=ACTION_RESPONSES)
def conversation_resolve(request, conversation_id: int):
    actor = _actor(request, "act")
    actions.conversation_resolve(actor, _conversation(actor, conversation_id))
    return _fresh(actor, conversation_id)


@conversations.post("/conversations/{conversation_id}/reopen", response=ACTION_RESPONSES)
def conversation_reopen(request, conversation_id: int):
    actor = _actor(request, "act")
    actions.conversation_reopen(actor, _conversation(actor, conversation_id))
    return _fresh(actor, conversation_id)


# -- contacts ------------------------------------------------------------------------------------

contacts = Router(tags=["contacts"])


def contact_out(c: Contact) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "bio": c.bio,
        "location": c.location,
        "website": c.website,
        "merged_into_id": c.merged_into_id,
        "identities": [
            {"network": i.network, "handle": i.handle, "display_name": i.display_name}
            for i in c.identities.all()
        ],
    }


class ContactFilters(io.In):
    q: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@contacts.get("/contacts", response={200: list[io.ContactOut], 400: io.Detail})
def contact_list(request, filters: Query[ContactFilters]):
    actor = _actor(request)
    q = filters.q
    qs = Contact.objects.in_workspace(actor.workspace).filter(merged_into__isnull=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(identities__handle__icontains=q.lstrip("@")))
    qs = qs.distinct().order_by("pk").prefetch_related("identities")
    return [contact_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@contacts.get("/contacts/{contact_id}", response={200: io.ContactDetail, 404: io.Detail})
def contact_get(request, contact_id: int):
    actor = _actor(request)
    contact = (
        Contact.objects.in_workspace(actor.workspace)
        .prefetch_related("identities")
        .get(pk=contact_id)
    )
    out = contact_out(contact)
    out["conversation_ids"] = list(
        contact.conversations.order_by("-last_message_at").values_list("pk", flat=True)[:500]
    )
    from beancan.api.surveys import survey_out
    from beancan.surveys.selectors import contact_surveys

    surveys = contact_surveys(actor, contact.pk)
    out.update(
        surveys=[survey_out(s) for s in surveys["items"]], csat=surveys["csat"], nps=surveys["nps"]
    )
    return out


@contacts.post(
    "/contacts/{contact_id}/merge",
    response={200: io.ContactOut, 400: io.Detail, 403: io.Detail, 404: io.Detail},
)
def contact_merge(request, contact_id: int, payload: io.MergeIn):
    """Merge another contact into this one (identities and conversations move over)."""
    actor = _actor(request, "act")
    qs = Contact.objects.in_workspace(actor.workspace)
    keep = actions.contact_merge(actor, qs.get(pk=contact_id), qs.get(pk=payload.other_id))
    return contact_out(qs.prefetch_related("identities").get(pk=keep.pk))


# -- canned responses ----------------------------------------------------------------------------

canned = Router(tags=["canned responses"])


def canned_out(c: CannedResponse) -> dict:
    return {"id": c.pk, "name": c.name, "shortcut": c.shortcut, "text": c.text}


@canned.get("/canned", response=list[io.CannedOut])
def canned_list(request):
    actor = _actor(request)
    return [
        canned_out(c) for c in CannedResponse.objects.in_workspace(actor.workspace).order_by("name")
    ]


@canned.post("/canned", response={200: io.CannedOut, 400: io.Detail, 403: io.Detail})
def canned_create(request, payload: io.CannedIn):
    actor = _actor(request, "manage")
    return canned_out(actions.canned_create(actor, payload.name, payload.text, payload.shortcut))


@canned.delete("/canned/{canned_id}", response={204: None, 403: io.Detail, 404: io.Detail})
def canned_delete(request, canned_id: int):
    actor = _actor(request, "manage")
    actions.canned_delete(
        actor, CannedResponse.objects.in_workspace(actor.workspace).get(pk=canned_id)
    )
    return Status(204, None)


# -- metrics -------------------------------------------------------------------------------------

metrics = Router(tags=["metrics"])


@metrics.get("/metrics", response={200: dict, 400: io.Detail})
def metrics_get(
    request,
    since: io.When | None = None,
    until: io.When | None = None,
    target: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 3600,
):
    """The audit's metrics (the same JSON as `beancan audit --json`) from the live database,
    for conversations that started in [since, until)."""
    actor = _actor(request)
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise DjangoValidationError(f"{name}: a timezone-aware date and time is required")
    return workspace_metrics(
        actor.workspace,
        since=since.astimezone(UTC) if since else None,
        until=until.astimezone(UTC) if until else None,
        target_seconds=target,
    )


from beancan.api.learning import learning  # noqa: E402  (its endpoints use this module's helpers)
from beancan.api.similar import similar  # noqa: E402
from beancan.api.surveys import surveys  # noqa: E402

for router in (messages, conversations, contacts, canned, metrics, learning, surveys, similar):
    api.add_router("", router)


def _http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_exception_handler(HttpError, _http_error)
