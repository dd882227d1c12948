"""Channels, contacts and their identities, conversations, messages, notes, tags and canned
responses: what the care team works on. Every row belongs to one workspace."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce

from beancan.workspaces.crypto import EncryptedTextField
from beancan.workspaces.models import Role, Workspace, role_allows


class RestrictedQuerySet(models.QuerySet):
    """The one door for tenant isolation: rows of workspaces where the user may do `action`."""

    workspace_path = "workspace"

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated:
            return self.none()
        roles = [r for r in Role if role_allows(r, action)]
        return self.filter(
            **{
                f"{self.workspace_path}__memberships__user": user,
                f"{self.workspace_path}__memberships__role__in": roles,
            }
        )

    def in_workspace(self, workspace):
        """Rows of one workspace (for callers already scoped, like an API token)."""
        return self.filter(**{self.workspace_path: workspace})


class ChannelKind(models.TextChoices):
    WEBHOOK = "webhook"
    API = "api"
    REPLAY = "replay"
    TWITTER = "twitter"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    REDDIT = "reddit"
    EMAIL = "email"
    CHAT = "chat"


class Channel(models.Model):
    """A connected account or listening source."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    name = models.CharField(max_length=100)
    handle = models.CharField(max_length=200, blank=True)  # the brand's account on the network
    secret = EncryptedTextField(blank=True, default="")  # webhook signing secret, network token
    config = models.JSONField(default=dict, blank=True)  # e.g. {"send_url": ...}
    max_length = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="channel_name")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


class Contact(models.Model):
    """A person, known by one or more identities."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


class Identity(models.Model):
    """A handle on a network or an email address, belonging to a contact."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="identities")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(max_length=16)
    handle = models.CharField(max_length=200)  # lower case, without a leading @
    display_name = models.CharField(max_length=200, blank=True)
    profile = models.JSONField(default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "handle"], name="one_identity_per_handle"
            )
        ]


class BrandHandle(models.Model):
    """A handle the brand writes from: every author of an outbound message, kept as it is seen
    (the audit's brand handles: authors of brand messages plus the workspace's own)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    handle = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "handle"], name="one_brand_handle")
        ]


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)
    color = models.CharField(max_length=7, default="#64748b")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_name")]


class Status(models.TextChoices):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Priority(models.TextChoices):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


# Every work queue's order: the most urgent first, then the nearest reply deadline (first or
# next response, whichever is running), then the latest activity. The indexes below hold the
# same keys in the same directions, so a queue's first page is read straight off one of them.
# (SQLite refuses NULLS LAST in an index; PostgreSQL's ascending index already puts a missing
# deadline last, which the query says explicitly so SQLite sorts the same way.)
SLA_DUE = Coalesce("first_response_due_at", "next_response_due_at")
_QUEUE_KEYS = (F("urgency").desc(), SLA_DUE.asc(), F("last_message_at").desc(), F("id").asc())
QUEUE_ORDER = (
    F("urgency").desc(),
    SLA_DUE.asc(nulls_last=True),
    F("last_message_at").desc(),
    F("id").asc(),
)


# The customer's messages before the first reply that describe a conversation for similar
# conversations (beancan.similar), and the conversations whose embedding is due.
OPENING_MESSAGES = 3
EMBEDDING_DUE = models.Q(
    customer_messages_before_reply__gt=models.F("embedded_messages"),
    embedded_messages__lt=OPENING_MESSAGES,
)


class Conversation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="conversations")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    # The network's own conversation id (X conversation_id, a Bluesky root, an email thread).
    external_key = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    team = models.ForeignKey("workspaces.Team", null=True, blank=True, on_delete=models.SET_NULL)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    # 0-100, the most urgent first in every work queue (filled by triage; 0 until then).
    urgency = models.PositiveSmallIntegerField(
        default=0, db_default=0, validators=[MaxValueValidator(100)]
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snooze_until_reply = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Deadlines are stored, then swept.
    first_response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)  # first unanswered inbound
    # When the clock told everyone the deadline had passed (cleared when a new deadline is set).
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    # The conversation facts of beancan.care (care.facts.ConversationFacts), kept up to date.
    brand = models.CharField(max_length=200, blank=True)
    messages_count = models.PositiveIntegerField(default=0)
    customer_initiated = models.BooleanField(default=False)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.FloatField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    customer_messages_before_reply = models.PositiveIntegerField(default=0)
    brand_replies = models.PositiveIntegerField(default=0)
    named_replies = models.PositiveIntegerField(default=0)
    thanked = models.BooleanField(default=False)
    first_sentiment = models.FloatField(null=True, blank=True)
    after_reply_sentiment = models.FloatField(null=True, blank=True)
    # Triage of the customer's messages while they wait (beancan.triage): what the queue sorts
    # (`urgency`, above) and filters by. Urgency has a part that grows with the wait, so it is
    # recomputed when `urgency_next_at` comes (the clock sweeps it) and on every new message.
    urgency_reasons = models.JSONField(default=list, blank=True)
    urgency_next_at = models.DateTimeField(null=True, blank=True, db_index=True)
    intent = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # How many of the customer's opening messages (at most OPENING_MESSAGES) the similar-
    # conversations embedding has read (beancan.similar); the worker's sweep finds the rest
    # through a partial index, so it costs nothing once everything is embedded.
    embedded_messages = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_key"],
                condition=models.Q(external_key__isnull=False),
                name="one_conversation_per_network_key",
            ),
            models.CheckConstraint(condition=models.Q(urgency__lte=100), name="urgency_0_100"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "first_response_due_at"]),
            models.Index(fields=["workspace", "assignee", "status"]),
            models.Index(fields=["contact", "channel", "status"]),
            models.Index(
                fields=["-id"], condition=EMBEDDING_DUE, name="conversation_embedding_due"
            ),
            # The work queues read their first page straight off these, in queue order; only
            # conversations in play are in them, so they stay small however big the history.
            models.Index(
                "workspace",
                *_QUEUE_KEYS,
                condition=models.Q(status__in=("open", "pending")),
                name="conv_active_queue_order",
            ),
            models.Index(
                "workspace",
                "assignee",
                *_QUEUE_KEYS,
                condition=models.Q(status__in=("open", "pending")),
                name="conv_assigned_queue_order",
            ),
            # The resolved pile, newest first.
            models.Index(
                "workspace",
                "status",
                F("last_message_at").desc(),
                name="conv_status_recent",
            ),
        ]


class Direction(models.TextChoices):
    INBOUND = "in"
    OUTBOUND = "out"


class SendState(models.TextChoices):
    RECEIVED = "received"  # came from the network: nothing to send
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Message(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    external_id = models.CharField(max_length=200, null=True, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    private = models.BooleanField(default=False)
    author = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    author_handle = models.CharField(max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    posted_at = models.DateTimeField(db_index=True)  # on the network
    received_at = models.DateTimeField()  # by beancan
    text = models.TextField(blank=True)
    raw = models.JSONField(default=dict, blank=True)
    in_reply_to = models.CharField(max_length=200, blank=True)
    sentiment = models.FloatField(null=True, blank=True)  # the model's compound score
    sentiment_label = models.CharField(max_length=8, blank=True)  # an agent's correction wins
    # Triage (beancan.triage) of a customer message; labels an agent corrected are in
    # learning.Correction and written here too.
    sentiment_confidence = models.FloatField(null=True, blank=True)
    intent = models.CharField(max_length=10, blank=True)
    intent_confidence = models.FloatField(null=True, blank=True)
    spam = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    # The part of urgency that the text decides (0-100 points and reasons), stored once; the
    # conversation adds the wait, the number of messages and VIP on top.
    text_urgency = models.JSONField(default=dict, blank=True)
    triage_model = models.CharField(max_length=60, blank=True)
    # The outbox: a reply is stored first, then sent by the worker.
    send_state = models.CharField(
        max_length=8, choices=SendState.choices, default=SendState.RECEIVED
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="one_message_per_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "posted_at"]),
            models.Index(fields=["send_state", "next_attempt_at"]),
            models.Index(fields=["workspace", "posted_at"]),
        ]

    @property
    def is_customer(self) -> bool:
        return self.direction == Direction.INBOUND


class Note(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notes")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    text = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()


class SavedView(models.Model):
    """A queue and filters an agent named, to come back to (shared with the team if chosen)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500)  # the inbox's query string
    shared = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "name"], name="saved_view_name")
        ]


class Notification(models.Model):
    """A note that @mentions an agent, until they have seen it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "workspace", "read_at"])]


class ConversationViewer(models.Model):
    """Who has a conversation open, and whether they are typing (collision detection)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_viewer_row")
        ]


class CannedResponse(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="canned")
    name = models.CharField(max_length=100)
    shortcut = models.CharField(max_length=30, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="canned_name")]
