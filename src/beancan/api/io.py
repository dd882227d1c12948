"""The API's input and output schemas: each endpoint has its own."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class Detail(Schema):
    detail: str


class ProfileIn(Schema):
    bio: str = Field("", max_length=2000)
    location: str = Field("", max_length=200)
    website: str = Field("", max_length=300)


class MessageFields(Schema):
    external_id: str = Field(..., min_length=1, max_length=200)
    author: str = Field(..., min_length=1, max_length=200)
    posted_at: datetime
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


class BatchIn(Schema):
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


class AssignIn(Schema):
    assignee_id: int | None = None
    team_id: int | None = None


class ReplyIn(Schema):
    text: str = Field(..., min_length=1, max_length=100_000)
    private: bool = False
    idempotency_key: str | None = Field(None, max_length=64)


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=20_000)


class TagsIn(Schema):
    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


class TagsOut(Schema):
    tags: list[str]


class PriorityIn(Schema):
    priority: Literal["urgent", "high", "normal", "low"]


class SnoozeIn(Schema):
    until: datetime | None = None
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


class ContactDetail(ContactOut):
    conversation_ids: list[int]


class MergeIn(Schema):
    other_id: int


class CannedIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    text: str = Field(..., min_length=1, max_length=10_000)
    shortcut: str = Field("", max_length=30)


class CannedOut(Schema):
    id: int
    name: str
    shortcut: str
    text: str
