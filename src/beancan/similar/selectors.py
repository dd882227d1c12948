"""Reads of similar conversations: which past conversations of the workspace opened like this
one, and how the team answered them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from beancan.care.replies import reply_template
from beancan.inbox.models import EMBEDDING_DUE, Conversation, Direction, Message
from beancan.similar.models import ConversationVector
from beancan.triage import embeddings
from beancan.workspaces.actors import Actor

SHOWN = 3
MIN_SCORE = embeddings.MIN_SCORE


def similar_enabled() -> bool:
    """The `ml` extra is installed and not switched off (BEANCAN_SIMILAR=off)."""
    return settings.BEANCAN_SIMILAR != "off" and embeddings.installed()


@dataclass(frozen=True)
class SimilarConversation:
    """A past conversation like this one, with the reply that answered it."""

    conversation_id: int
    score: float
    status: str
    opening: str
    reply: str
    reply_at: datetime | None
    template: str  # the reply with {first_name} and {agent_name} in place of the old ones


@dataclass(frozen=True)
class Similar:
    """What the panel shows: `state` is off (no extra), none (nothing to compare: no customer
    message), pending (not embedded yet) or ready."""

    state: str
    items: tuple[SimilarConversation, ...] = ()


def _pool(actor: Actor, exclude: int):
    return (
        ConversationVector.objects.in_workspace(actor.workspace)
        .filter(answered=True, model=embeddings.MODEL)
        .exclude(pk=exclude)
        .order_by("-conversation")
        .values_list("conversation_id", "vector")[: settings.BEANCAN_SIMILAR_POOL]
    )


def similar_for(actor: Actor, conversation_id: int, k: int = SHOWN) -> Similar:
    """The answered conversations of the actor's workspace whose opening is most like this one's
    (at most `k`, each at least MIN_SCORE alike); raises DoesNotExist outside the workspace."""
    actor.require("view")
    conv = Conversation.objects.in_workspace(actor.workspace).get(pk=conversation_id)
    if not similar_enabled():
        return Similar("off")
    own = ConversationVector.objects.filter(pk=conv.pk, model=embeddings.MODEL).first()
    if own is None:  # due (the worker will come), or nothing public to read
        due = Conversation.objects.filter(EMBEDDING_DUE, pk=conv.pk).exists()
        return Similar("pending" if due else "none")
    rows = list(_pool(actor, conv.pk))
    if not rows:
        return Similar("ready")
    pool = embeddings.unpack_many([bytes(v) for _, v in rows])
    query = embeddings.unpack_many([bytes(own.vector)])[0]
    best = embeddings.nearest(query, pool, k, MIN_SCORE)
    ids = [rows[i][0] for i, _ in best]
    return Similar("ready", tuple(_describe(actor, ids, [s for _, s in best])))


def _describe(actor: Actor, ids: list[int], scores: list[float]) -> list[SimilarConversation]:
    if not ids:
        return []
    status = dict(
        Conversation.objects.in_workspace(actor.workspace)
        .filter(pk__in=ids)
        .values_list("pk", "status")
    )
    opening: dict[int, str] = {}
    reply: dict[int, tuple[str, datetime]] = {}
    messages = (
        Message.objects.in_workspace(actor.workspace)
        .filter(conversation_id__in=ids)
        .order_by("conversation_id", "posted_at", "pk")
        .values_list("conversation_id", "direction", "text", "posted_at")
    )
    for conversation_id, direction, text, posted_at in messages:
        if direction == Direction.INBOUND:
            opening.setdefault(conversation_id, text)
        elif conversation_id not in reply:
            reply[conversation_id] = (text, posted_at)
    return [
        SimilarConversation(
            conversation_id=pk,
            score=score,
            status=status.get(pk, ""),
            opening=opening.get(pk, ""),
            reply=reply[pk][0],
            reply_at=reply[pk][1],
            template=reply_template(reply[pk][0]),
        )
        for pk, score in zip(ids, scores, strict=True)
        if pk in reply
    ]
