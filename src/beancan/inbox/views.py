"""The agent inbox pages: queues and a conversation, server-rendered, updated live over SSE.
One URL serves the page and, for htmx, its fragment (with Vary: HX-Request)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from beancan.inbox import actions, selectors
from beancan.inbox.models import Conversation
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Workspace


def _actor(request, workspace: str) -> Actor:
    ws = get_object_or_404(Workspace, name=workspace)
    return Actor.member(request.user, ws)


def _render(request, template: str, fragment: str, context: dict, status: int = 200):
    is_htmx = request.headers.get("HX-Request") == "true"
    response = render(request, fragment if is_htmx else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def inbox(request, workspace: str):
    actor = _actor(request, workspace)
    queue = request.GET.get("queue", "open")
    if queue not in dict(selectors.QUEUES):
        raise Http404("no such queue")
    context = {
        "actor": actor,
        "workspace": actor.workspace,
        "queue": queue,
        "queues": selectors.QUEUES,
        "counts": selectors.queue_counts(actor),
        "conversations": selectors.inbox_list(actor, queue),
    }
    fragment = "inbox/_counts.html" if request.GET.get("part") == "counts" else "inbox/_queue.html"
    return _render(request, "inbox/inbox.html", fragment, context)


def _conversation_context(actor: Actor, pk: int, **extra) -> dict:
    conv = selectors.conversation_get(actor, pk)
    agent_name = ""
    if actor.user is not None:
        agent_name = actor.user.first_name or actor.user.get_username()
    return {
        "actor": actor,
        "workspace": actor.workspace,
        "conv": conv,
        "can_act": actor.can("act"),
        "canned": selectors.canned_for(actor),
        "first_name": conv.contact.first_name if conv.contact else "",
        "agent_name": agent_name,
        "draft": "",
        "error": "",
        **extra,
    }


@login_required
def conversation(request, workspace: str, pk: int):
    actor = _actor(request, workspace)
    try:
        context = _conversation_context(actor, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404("no such conversation") from exc
    return _render(request, "inbox/conversation.html", "inbox/_thread.html", context)


def _back(workspace: str, pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("conversation", args=[workspace, pk]))


def _target(actor: Actor, pk: int) -> Conversation:
    conv = Conversation.objects.in_workspace(actor.workspace).filter(pk=pk).first()
    if conv is None:
        raise Http404("no such conversation")
    return conv


@login_required
@require_POST
def act(request, workspace: str, pk: int, verb: str):
    """The conversation's buttons and forms: reply, note, assign to me, resolve, reopen."""
    actor = _actor(request, workspace)
    conv = _target(actor, pk)
    text = request.POST.get("text", "")
    try:
        if verb == "reply":
            actions.reply_send(
                actor,
                conv,
                text,
                private=request.POST.get("private") == "1",
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        elif verb == "note":
            actions.note_add(actor, conv, text)
        elif verb == "assign-me":
            actions.conversation_assign(actor, conv, actor.user)
        elif verb == "resolve":
            actions.conversation_resolve(actor, conv)
        elif verb == "reopen":
            actions.conversation_reopen(actor, conv)
        else:
            raise Http404("no such action")
    except ValidationError as exc:
        context = _conversation_context(actor, pk, draft=text, error=" ".join(exc.messages))
        return render(request, "inbox/conversation.html", context, status=400)
    except PermissionDenied:
        raise
    return _back(workspace, pk)
