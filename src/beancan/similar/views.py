"""The similar-conversations panel of a conversation page (an htmx fragment)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from beancan.inbox.models import Conversation
from beancan.similar.selectors import similar_for
from beancan.workspaces.actors import Actor


@login_required
def panel(request, workspace: str, pk: int):
    actor = Actor.member_of(request.user, workspace)
    if actor is None:
        raise Http404("no such workspace")
    try:
        similar = similar_for(actor, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404("no such conversation") from exc
    return render(
        request,
        "similar/_panel.html",
        {"similar": similar, "workspace": actor.workspace, "pk": pk, "can_act": actor.can("act")},
    )
