"""The API's input and output schemas, one pair per endpoint; the webhook channel reads the same
message fields. Inputs refuse what the database cannot store (NUL characters, lone surrogates,
dates it cannot hold) so that bad input is a 400 naming the field, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, field_validator

from beancan.inbox.ingest import IncomingMessage

MAX_BATCH = 1000
MAX_RAW_DEPTH = 32
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("must be between the years 1900 and 2999")
    return utc


# A point in time with its offset (ISO 8601, e.g. 2026-11-02T09:00:00+01:00), kept in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
# A row id: anything larger than a 64-bit integer cannot be one.
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def storable(value: Any) -> None:
    """Raise ValueError if a value holds text the databases refuse or nests too deep."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_RAW_DEPTH:
            raise ValueError(f"nested deeper than {MAX_RAW_DEPTH} levels")
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("must not contain NUL characters")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("must be valid Unicode text") from None
        elif isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)


class In(Schema):
    """An input: every text in it must be storable."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        if not isinstance(value, Schema):  # a nested input checked itself
            storable(value)
        return value


class Detail(Schema):
    detail: str


ERRORS = frozenset({400, 401, 403, 404, 413})


# Ingest


class ProfileIn(In):
    bio: str = Field("", max_length=2000)
    location: str = Field("", max_length=200)
    website: str = Field("", max_length=300)


class MessageFields(In):
    external_id: str = Field(..., min_length=1, max_length=200)
    author: str = Field(..., min_length=1, max_length=200, description="handle, @ optional")
    posted_at: Instant
    text: str = Field("", max_length=100_000)
    direction: Literal["in", "out"] = "in"
    in_reply_to: str = Field("", max_length=200)
    conversation_key: str | None = Field(
        None, max_length=200, description="the network's own conversation id"
    )
    private: bool = False
    author_name: str = Field("", max_length=200)
    author_profile: ProfileIn = Field(default_factory=ProfileIn)
    raw: dict[str, Any] = Field(default_factory=dict)

    @field_validator("author")
    @classmethod
    def _handle_fits(cls, value: str) -> str:
        # Handles are stored lower-cased, and lower-casing can lengthen a string.
        if len(value.strip().lstrip("@").lower()) > 200:
            raise ValueError("longer than 200 characters")
        return value

    def incoming(self) -> IncomingMessage:
        """The message as ingest() takes it."""
        return IncomingMessage(
            external_id=self.external_id,
            author=self.author,
            posted_at=self.posted_at,
            text=self.text,
            direction=self.direction,
            in_reply_to=self.in_reply_to,
            conversation_key=self.conversation_key or None,
            private=self.private,
            author_name=self.author_name,
            author_profile=self.author_profile.model_dump(),
            raw=self.raw,
        )


ChannelRef = ObjectId | Annotated[str, Field(min_length=1, max_length=100)]


class MessageIn(MessageFields):
    channel: ChannelRef = Field(..., description="channel id, or its name in this workspace")


class BatchIn(In):
    channel: ChannelRef = Field(..., description="channel id, or its name in this workspace")
    messages: list[MessageFields] = Field(..., min_length=1, max_length=MAX_BATCH)


class IngestOut(Schema):
    created: list[int] = Field(..., description="ids of the messages stored")
    duplicates: int = Field(..., description="messages whose external id was already stored")
    conversations: list[int] = Field(..., description="ids of the conversations touched")


class WebhookBatchIn(In):
    messages: list[MessageFields] = Field(..., min_length=1, max_length=MAX_BATCH)


# Conversations


class ConversationFilters(In):
    status: Literal["open", "pending", "snoozed", "resolved"] | None = None
    assignee: str | None = Field(None, max_length=20, description='a user id, "me" or "none"')
    channel: str | None = Field(None, max_length=100, description="channel id or name")
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    tag: str | None = Field(None, max_length=50)
    contact: ObjectId | None = None
    q: str | None = Field(None, max_length=200, description="text in the messages")
    updated_since: Instant | None = Field(None, description="with a message since")
    created_since: Instant | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, value: str | None) -> str | None:
        if value is None or value in ("me", "none"):
            return value
        if not value.isdigit() or not 1 <= int(value) < 2**63:
            raise ValueError('a user id, "me" or "none"')
        return value


class ContactBrief(Schema):
    id: int
    name: str
    handles: list[str]


class ConversationOut(Schema):
    id: int
    channel_id: int
    status: str
    priority: str
    assignee_id: int | None
    team_id: int | None
    contact: ContactBrief | None
    tags: list[str]
    due_at: datetime | None = Field(..., description="the reply deadline now running")
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    waiting_since: datetime | None
    snoozed_until: datetime | None
    snooze_until_reply: bool
    created_at: datetime
    last_message_at: datetime | None
    messages_count: int
    answered: bool


class ConversationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ConversationOut]


class FactsOut(Schema):
    brand: str
    messages_count: int
    customer_initiated: bool
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    first_response_seconds: float | None
    answered: bool
    customer_messages_before_reply: int
    brand_replies: int
    named_replies: int
    thanked: bool
    first_sentiment: float | None
    after_reply_sentiment: float | None


class MessageOut(Schema):
    id: int
    conversation_id: int
    external_id: str | None
    direction: str
    private: bool
    author: str
    sent_by_id: int | None
    posted_at: datetime
    received_at: datetime
    text: str
    in_reply_to: str
    sentiment: float | None
    sentiment_label: str
    send_state: str
    send_attempts: int
    send_error: str


class NoteOut(Schema):
    id: int
    conversation_id: int
    author_id: int | None
    text: str
    created_at: datetime


class ConversationDetail(ConversationOut):
    last_inbound_at: datetime | None
    facts: FactsOut
    messages: list[MessageOut]
    notes: list[NoteOut]


class AssignIn(In):
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None


class ReplyIn(In):
    text: str = Field(..., min_length=1, max_length=100_000)
    private: bool = False
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=64, description="a retry with the same key sends once"
    )


class NoteIn(In):
    text: str = Field(..., min_length=1, max_length=20_000)


class TagsIn(In):
    add: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=50)
    remove: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=50)


class TagsOut(Schema):
    tags: list[str]


class PriorityIn(In):
    priority: Literal["urgent", "high", "normal", "low"]


class SnoozeIn(In):
    until: Instant | None = None
    until_reply: bool = False


# Contacts


class ContactFilters(In):
    q: str | None = Field(None, max_length=200, description="in the name or a handle")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class IdentityOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str


class ContactOut(Schema):
    id: int
    name: str
    bio: str
    location: str
    website: str
    merged_into_id: int | None
    created_at: datetime
    identities: list[IdentityOut]


class ContactPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContactOut]


class ContactConversation(Schema):
    id: int
    channel_id: int
    status: str
    last_message_at: datetime | None


class ContactDetail(ContactOut):
    conversations: list[ContactConversation]


class MergeIn(In):
    other_id: ObjectId = Field(..., description="the contact merged into this one")


# Canned responses


class CannedIn(In):
    name: str = Field(..., min_length=1, max_length=100)
    text: str = Field(..., min_length=1, max_length=10_000)
    shortcut: str = Field("", max_length=30)


class CannedOut(Schema):
    id: int
    name: str
    shortcut: str
    text: str
    created_at: datetime


# Metrics


class MetricsQuery(In):
    since: Instant | None = Field(None, description="conversations that started at or after")
    until: Instant | None = Field(None, description="conversations that started before")
    target: float = Field(3600, gt=0, le=365 * 86400, allow_inf_nan=False)
