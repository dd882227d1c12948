"""Administration pages of a workspace (members, channels, SLA policy, surveys, canned responses,
tags, teams), so a care lead never needs the Django admin. Thin: parse, call one action,
redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from beancan.inbox import actions as inbox_actions
from beancan.inbox.models import CannedResponse, Channel, Tag
from beancan.sla.models import DEFAULT_FIRST_RESPONSE, DEFAULT_NEXT_RESPONSE, SlaPolicy
from beancan.surveys import actions as survey_actions
from beancan.surveys.selectors import policy_for
from beancan.workspaces import admin_actions as act
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Membership, Role, Workspace

# Which section of the page shows the error of each form.
SECTION = {"member-remove": "member", "canned-delete": "canned", "tag-delete": "tag"}


def _actor(request, workspace: str) -> Actor:
    actor = Actor.member(request.user, get_object_or_404(Workspace, name=workspace))
    actor.require("manage")
    return actor


def _get(model, actor: Actor, raw):
    """The workspace's row with this posted id; 404 for a missing or malformed id."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Http404("no such row")
    return get_object_or_404(model, workspace=actor.workspace, pk=int(raw))


def _sla_as_posted(p) -> dict:
    """The SLA form as the admin typed it, to show again beside its error."""
    return {
        "first_minutes": {k: p.get(f"first_{k}", "") for k in act.PRIORITIES},
        "next_minutes": {k: p.get(f"next_{k}", "") for k in act.PRIORITIES},
        "timezone": p.get("timezone", ""),
        "week_lines": [(d, p.get(f"hours_{d}", "")) for d in act.DAYS],
        "around_the_clock": p.get("around_the_clock") == "1",
        "holidays": p.get("holidays", ""),
    }


def _minutes(seconds: dict) -> dict[str, int]:
    return {p: seconds.get(p, 3600) // 60 for p in act.PRIORITIES}


def _context(actor: Actor, **extra) -> dict:
    ws = actor.workspace
    policy = SlaPolicy.objects.filter(workspace=ws, is_default=True).first()
    week = (policy.business_hours if policy else None) or {}
    return {
        "workspace": ws,
        "actor": actor,
        "is_admin": actor.can("admin"),
        "roles": Role.values,
        "members": Membership.objects.filter(workspace=ws)
        .select_related("user")
        .order_by("user__username"),
        "channels": Channel.objects.filter(workspace=ws).order_by("name"),
        "canned": CannedResponse.objects.filter(workspace=ws).order_by("name"),
        "tags": Tag.objects.filter(workspace=ws).order_by("name"),
        "teams": ws.teams.prefetch_related("members").order_by("name"),
        "policy": policy,
        "timezone": policy.timezone if policy else "UTC",
        "priorities": act.PRIORITIES,
        "first_minutes": _minutes(policy.first_response if policy else DEFAULT_FIRST_RESPONSE),
        "next_minutes": _minutes(policy.next_response if policy else DEFAULT_NEXT_RESPONSE),
        "week_lines": [(d, ", ".join(f"{a}-{b}" for a, b in week.get(d, []))) for d in act.DAYS],
        "around_the_clock": policy is None or policy.business_hours is None,
        "holidays": "\n".join(str(h.date) for h in policy.holidays.order_by("date"))
        if policy
        else "",
        "survey_policy": policy_for(ws),
        "error": "",
        "section": "",
        **extra,
    }


@login_required
def admin_page(request, workspace: str):
    return render(request, "workspaces/admin/page.html", _context(_actor(request, workspace)))


@login_required
@require_POST
def admin_post(request, workspace: str, what: str):
    actor = _actor(request, workspace)
    p = request.POST
    try:
        if any("\x00" in v for values in p.lists() for v in values[1]):
            # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the query.
            raise ValidationError("the form holds a NUL character")
        if what == "member":
            act.member_set(actor, p.get("username", ""), p.get("role", ""))
        elif what == "member-remove":
            act.member_remove(actor, _get(Membership, actor, p.get("id")))
        elif what == "channel":
            channel = _get(Channel, actor, p["id"]) if p.get("id") else None
            act.channel_save(actor, channel, p.dict())
        elif what == "sla":
            act.sla_policy_save(
                actor,
                first={k: p.get(f"first_{k}", "") for k in act.PRIORITIES},
                next_={k: p.get(f"next_{k}", "") for k in act.PRIORITIES},
                timezone=p.get("timezone", "UTC"),
                week_lines={d: p.get(f"hours_{d}", "") for d in act.DAYS},
                around_the_clock=p.get("around_the_clock") == "1",
                holidays_text=p.get("holidays", ""),
            )
        elif what == "canned":
            inbox_actions.canned_create(actor, p.get("name", ""), p.get("text", ""))
        elif what == "canned-delete":
            inbox_actions.canned_delete(actor, _get(CannedResponse, actor, p.get("id")))
        elif what == "tag":
            tag = _get(Tag, actor, p["id"]) if p.get("id") else None
            act.tag_save(actor, tag, p.get("name", ""))
        elif what == "tag-delete":
            act.tag_delete(actor, _get(Tag, actor, p.get("id")))
        elif what == "surveys":
            survey_actions.policy_save(actor, p.dict())
        elif what == "team":
            act.team_save(actor, p.get("name", ""), p.get("members", "").replace(",", " ").split())
        else:
            raise Http404("no such setting")
    except ValidationError as exc:
        kept = _sla_as_posted(p) if what == "sla" else {}
        context = _context(
            actor, error=" ".join(exc.messages), section=SECTION.get(what, what), **kept
        )
        return render(request, "workspaces/admin/page.html", context, status=400)
    return HttpResponseRedirect(reverse("workspace-admin", args=[workspace]) + f"#{what}")
