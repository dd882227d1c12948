"""The agent inbox pages: queues and a conversation, server-rendered, updated live over SSE.
One URL serves the page and, for htmx, its fragment (with Vary: HX-Request)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from beancan.inbox import actions, assignment, collision, rendering, selectors
from beancan.inbox.models import Contact, Conversation
from beancan.similar.selectors import similar_enabled
from beancan.surveys.selectors import contact_surveys
from beancan.triage.reply_check import check_reply
from beancan.triage.types import INTENTS, SENTIMENTS
from beancan.workspaces.actors import Actor


def _actor(request, workspace: str) -> Actor:
    actor = Actor.member_of(request.user, workspace)
    if actor is None:
        raise Http404("no such workspace")
    return actor


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
    filters = {k: request.GET[k] for k in selectors.FILTERS if request.GET.get(k)}
    context = {
        "actor": actor,
        "workspace": actor.workspace,
        "queue": queue,
        "queue_label": dict(selectors.QUEUES)[queue],
        "queues": selectors.QUEUES,
        "filters": filters,
        "can_act": actor.can("act"),
        "can_manage": actor.can("manage"),
    }
    # Every open page re-fetches a fragment on each live event: work out only what it shows.
    fragment = "inbox/_counts.html" if request.GET.get("part") == "counts" else "inbox/_queue.html"
    whole_page = request.headers.get("HX-Request") != "true"
    if whole_page or fragment == "inbox/_counts.html":
        context["counts"] = selectors.queue_counts(actor)
    if whole_page or fragment == "inbox/_queue.html":
        rows = selectors.inbox_list(actor, queue, filters)
        context["rows_html"] = rendering.queue_rows(
            rows, context["can_act"], _conversation_url(actor), timezone.now()
        )
    if whole_page:
        loads = assignment.agent_loads(actor.workspace)
        context["agents"] = loads
        context["agents_html"] = rendering.agent_items(loads)
        context["me"] = next((m for m in loads if m.user_id == actor.user.pk), None)
        choices = selectors.filter_choices(actor, agents=loads)
        context["choices"] = choices
        context["channel_options"] = rendering.options(
            choices["channels"], filters.get("channel", ""), by_value=True
        )
        context["tag_options"] = rendering.options(choices["tags"], filters.get("tag", ""))
        context["assignee_options"] = rendering.options(
            choices["agents"], filters.get("assignee", "")
        )
        context["bulk_agent_options"] = rendering.options(choices["agents"], by_value=True)
        context["saved"] = selectors.saved_views(actor)
    return _render(request, "inbox/inbox.html", fragment, context)


def _conversation_url(actor: Actor):
    """pk -> the conversation page's URL, reversed once per page rather than once per row."""
    marker = 987654321987654321
    head, _, tail = reverse("conversation", args=[actor.workspace.name, marker]).rpartition(
        str(marker)
    )
    return lambda pk: f"{head}{pk}{tail}"


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
        "choices": selectors.filter_choices(actor, channels=False),
        "priorities": ["urgent", "high", "normal", "low"],
        "trend": selectors.sentiment_trend(conv),
        "surveys": contact_surveys(actor, conv.contact_id),
        "teams": list(actor.workspace.teams.order_by("name").values_list("pk", "name")),
        "sentiments": SENTIMENTS,
        "intents": INTENTS,
        "error": "",
        "similar_on": similar_enabled(),
        **extra,
    }


@login_required
@require_POST
def bulk(request, workspace: str):
    """Assign, tag or resolve the checked conversations, each through its action."""
    actor = _actor(request, workspace)
    actor.require("act")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    convs = list(Conversation.objects.in_workspace(actor.workspace).filter(pk__in=ids))
    what = request.POST.get("bulk")
    try:
        for conv in convs:
            if what == "resolve":
                actions.conversation_resolve(actor, conv)
            elif what == "assign":
                actions.conversation_assign(actor, conv, _member(actor, request.POST.get("agent")))
            elif what == "tag" and request.POST.get("tag", "").strip():
                actions.conversation_tag(actor, conv, add=[request.POST["tag"]])
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return HttpResponseRedirect(request.POST.get("next") or reverse("inbox", args=[workspace]))


def _member(actor: Actor, user_id: str | None):
    from django.contrib.auth import get_user_model

    if not user_id:
        return None
    user = get_user_model().objects.filter(pk=int(user_id) if user_id.isdigit() else -1).first()
    if user is None:
        raise ValidationError("agent: not a member of this workspace")
    return user


@login_required
@require_POST
def save_view(request, workspace: str):
    """Save the current queue and filters under a name."""
    actor = _actor(request, workspace)
    query = request.POST.get("query", "")
    try:
        actions.saved_view_create(
            actor, request.POST.get("name", ""), query, request.POST.get("shared") == "1"
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return HttpResponseRedirect(reverse("inbox", args=[workspace]) + "?" + query)


@login_required
def mentions(request, workspace: str):
    """Notes that @mention me; opening the page marks them read."""
    actor = _actor(request, workspace)
    items = selectors.mentions_list(actor)
    actions.notifications_read(actor)
    context = {
        "actor": actor,
        "workspace": actor.workspace,
        "items": items,
        "queue": "",
        "queues": selectors.QUEUES,
        "counts": selectors.queue_counts(actor),
    }
    return render(request, "inbox/mentions.html", context)


@login_required
@require_POST
def presence(request, workspace: str):
    """An agent sets online, away or offline."""
    actor = _actor(request, workspace)
    actor.require("act")
    try:
        assignment.presence_set(actor, request.POST.get("presence", ""))
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return HttpResponseRedirect(request.POST.get("next") or reverse("inbox", args=[workspace]))


@login_required
@require_POST
def heartbeat(request, workspace: str, pk: int):
    """The conversation page says it is open (typing or not, or leaving); answers who else is."""
    actor = _actor(request, workspace)
    conv = _target(actor, pk)
    everyone = collision.viewer_heartbeat(
        actor,
        conv,
        typing=request.POST.get("typing") == "1",
        leaving=request.POST.get("leaving") == "1",
    )
    me = actor.user.get_username()
    return render(
        request, "inbox/_viewers.html", {"others": [v for v in everyone if v["user"] != me]}
    )


@login_required
@require_POST
def check(request, workspace: str, pk: int):
    """The composer's live warnings for a draft reply (a fragment)."""
    actor = _actor(request, workspace)
    conv = _target(actor, pk)
    warnings = check_reply(request.POST.get("text", ""), selectors.recent_replies(actor, conv))
    return render(request, "inbox/_warnings.html", {"warnings": warnings})


@login_required
def conversation(request, workspace: str, pk: int):
    actor = _actor(request, workspace)
    try:
        context = _conversation_context(actor, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404("no such conversation") from exc
    return _render(request, "inbox/conversation.html", "inbox/_thread.html", context)


def _local_time(value: str, request):
    """A datetime-local field's value, in the browser's offset (minutes) if it sent one."""
    from datetime import datetime, timedelta, timezone

    try:
        naive = datetime.fromisoformat(value)
        offset = int(request.POST.get("tz_offset") or 0)
    except ValueError as exc:
        raise ValidationError("until: a date and time like 2026-11-24T09:00") from exc
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=timezone(timedelta(minutes=-offset)))


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
        elif verb == "merge-contact":
            handle = request.POST.get("handle", "").strip().lstrip("@").lower()
            other = (
                Contact.objects.in_workspace(actor.workspace)
                .filter(identities__handle=handle)
                .first()
            )
            if conv.contact is None or other is None:
                raise ValidationError(f"handle: no contact with the handle {handle!r}")
            actions.contact_merge(actor, conv.contact, other)
        elif verb == "move-private":
            actions.move_to_private(actor, conv, text)
        elif verb == "note":
            actions.note_add(actor, conv, text)
        elif verb == "assign-me":
            actions.conversation_assign(actor, conv, actor.user)
        elif verb == "assign":
            team_id = request.POST.get("team") or ""
            team = (
                actor.workspace.teams.filter(pk=int(team_id)).first() if team_id.isdigit() else None
            )
            actions.conversation_assign(
                actor, conv, _member(actor, request.POST.get("agent")), team
            )
        elif verb == "tag":
            actions.conversation_tag(
                actor, conv, add=[t for t in [request.POST.get("tag", "").strip()] if t]
            )
        elif verb == "priority":
            actions.conversation_set_priority(actor, conv, request.POST.get("priority", ""))
        elif verb == "snooze":
            until = request.POST.get("until")
            actions.conversation_snooze(
                actor,
                conv,
                until=_local_time(until, request) if until else None,
                until_reply=request.POST.get("until_reply") == "1",
            )
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
