"""What a conversation's opening means, as a sentence embedding (the `ml` extra), so an agent can
see how the team answered conversations like it before."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from beancan.inbox.models import Conversation, RestrictedQuerySet
from beancan.workspaces.models import Workspace


class ConversationVector(models.Model):
    """The embedding of a conversation's customer messages up to the first reply (at most
    `MAX_MESSAGES` of them); `messages` says how many it read, so it is redone while the customer
    adds to an unanswered opening."""

    conversation = models.OneToOneField(
        Conversation, primary_key=True, on_delete=models.CASCADE, related_name="vector"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=40)
    messages = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    # Set by the sweep once the conversation has a first reply: what the pool of past answers reads.
    answered = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "answered", "-conversation"], name="vector_pool"),
            # The few not yet answered, which the sweep checks each time.
            models.Index(
                fields=["conversation"], condition=Q(answered=False), name="vector_unanswered"
            ),
        ]
