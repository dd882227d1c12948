"""The API's input and output schemas: each endpoint has its own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
MAX_DEPTH = 32


def _storable_time(value: datetime) -> datetime:
    """Refuse times the database, the SLA clock and the metrics cannot hold."""
    try:
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("must be between the years 1900 and 2999")
    return value


def storable(value: Any) -> None:
    """Raise ValueError for text no database stores (NUL, lone surrogates) or deep nesting."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("must not contain NUL characters")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("must be valid Unicode text") from None
        elif isinstance(item, dict):
            stack.extend((x, depth + 1) for pair in item.items() for x in pair)
        elif isinstance(item, list | tuple):
            stack.extend((x, depth + 1) for x in item)


# A time (naive ones are refused with the field's name where they are used) within range.
When = Annotated[datetime, AfterValidator(_storable_time)]
# A row id: nothing above a signed 64-bit integer can be one.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class In(Schema):
    """An input: every text in it can be stored by SQLite and PostgreSQL alike."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        if not isinstance(value, Schema):  # a nested input checked itself
            storable(value)
        return value


class Detail(Schema):
    detail: str


class ProfileIn(In):
    bio: str = Field("", max_length=2000)
    location: str = Field("", max_length=200)
    website: str = Field("", max_length=300)


class MessageFields(In):
    external_id: str = Field(..., min_length=1, max_length=200)
    author: str = Field(..., min_length=1, max_length=200)
    posted_at: When
    text: str = Field(..., max_length=100_000)
    direction: Literal["in", "out"] = "in"
    in_reply_to: str = Field("", max_length=200)
    conversation_key: str | None = Field(None, max_length=200)
    private: bool = False
    author_name: str = Field("", max_length=200)
    author_profile: ProfileIn = Field(default_factory=ProfileIn)
    raw: dict = Field(default_factory=dict)


class MessageIn(MessageFields):
    channel: int | str = Field(..., description="channel id or name, in the token's workspace")


class BatchIn(In):
    channel: int | str
    messages: list[MessageFields] = Field(..., min_length=1, max_length=1000)


class IngestOut(Schema):
    created: list[int]
    duplicates: int
    conversations: list[int]


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
    brand: str
    due_at: datetime | None
    waiting_since: datetime | None
    last_message_at: datetime | None
    messages_count: int
    customer_initiated: bool
    answered: bool
    first_response_seconds: float | None
    customer_messages_before_reply: int
    first_sentiment: float | None
    after_reply_sentiment: float | None
    snoozed_until: datetime | None
    urgency: int
    urgency_reasons: list[str]
    intent: str
    language: str


class ConversationPage(Schema):
    count: int
    items: list[ConversationOut]


class MessageOut(Schema):
    id: int
    external_id: str | None
    direction: str
    private: bool
    author: str
    posted_at: datetime
    received_at: datetime
    text: str
    in_reply_to: str
    sentiment: float | None
    sentiment_label: str
    sentiment_confidence: float | None
    intent: str
    intent_confidence: float | None
    spam: bool
    language: str
    triage_model: str
    corrected: list[str]
    send_state: str
    send_error: str
    idempotency_key: str


class NoteOut(Schema):
    id: int
    author: str | None
    text: str
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]


class AssignIn(In):
    assignee_id: RowId | None = None
    team_id: RowId | None = None


class ReplyIn(In):
    text: str = Field(..., min_length=1, max_length=100_000)
    private: bool = False
    idempotency_key: str | None = Field(None, max_length=64)


class NoteIn(In):
    text: str = Field(..., min_length=1, max_length=20_000)


class TagsIn(In):
    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


class TagsOut(Schema):
    tags: list[str]


class PriorityIn(In):
    priority: Literal["urgent", "high", "normal", "low"]


class SnoozeIn(In):
    until: When | None = None
    until_reply: bool = False


class IdentityOut(Schema):
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
    identities: list[IdentityOut]


class SurveyOut(Schema):
    id: int
    conversation_id: int
    contact_id: int | None
    kind: str
    state: str
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime | None
    message_id: int | None
    score: int | None
    answered_at: datetime | None
    answer_id: int | None
    comment: str


class ContactDetail(ContactOut):
    conversation_ids: list[int]
    surveys: list[SurveyOut]
    csat: float | None
    nps: float | None


class MergeIn(In):
    other_id: RowId


class CannedIn(In):
    name: str = Field(..., min_length=1, max_length=100)
    text: str = Field(..., min_length=1, max_length=10_000)
    shortcut: str = Field("", max_length=30)


class CannedOut(Schema):
    id: int
    name: str
    shortcut: str
    text: str


class CorrectionIn(In):
    field: str = Field(..., max_length=10, description="sentiment or intent")
    label: str = Field(..., max_length=10)


class CorrectionOut(Schema):
    message_id: int
    field: str
    predicted: str
    label: str


class FieldScore(Schema):
    before: float | None
    after: float | None
    n: int


class ModelVersionOut(Schema):
    id: int
    name: str
    created_at: datetime
    corrections: int
    heldout: int
    scores: dict[str, FieldScore]
    fit_seconds: float
    active: bool


class TriageModelOut(Schema):
    shipped: str
    active: str
    corrections: int
    versions: list[ModelVersionOut]


class SimilarConversationOut(Schema):
    conversation_id: int
    score: float
    status: str
    opening: str
    reply: str
    reply_at: datetime | None
    template: str


class SimilarOut(Schema):
    state: str  # off (no ml extra), none (no customer message), pending (not embedded yet), ready
    conversations: list[SimilarConversationOut]
