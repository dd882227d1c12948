"""Pages of triage learning: an agent corrects a message's sentiment or intent from the
conversation; the triage page shows the model in use, its refits with held-out accuracy before
and after, and lets a lead refit, activate or roll back, and keep the VIP list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from beancan.inbox.models import Direction, Message
from beancan.learning import actions
from beancan.learning.models import WorkspaceModel
from beancan.learning.selectors import learning_summary
from beancan.triage.types import INTENTS, SENTIMENTS
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Workspace


def _actor(request, workspace: str) -> Actor:
    return Actor.member(request.user, get_object_or_404(Workspace, name=workspace))


def _id(raw) -> int:
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Http404("no such row")
    return int(raw)


@login_required
@require_POST
def correct(request, workspace: str, message_id: int):
    """Record an agent's sentiment or intent for a customer message (htmx: the new badges)."""
    actor = _actor(request, workspace)
    message = get_object_or_404(
        Message, workspace=actor.workspace, pk=message_id, direction=Direction.INBOUND
    )
    error = ""
    try:
        actions.correction_record(
            actor, message, request.POST.get("field", ""), request.POST.get("label", "")
        )
    except ValidationError as exc:
        error = exc.messages[0]
    message.refresh_from_db()
    if request.headers.get("HX-Request") == "true":
        response = render(
            request,
            "learning/_message_triage.html",
            {
                "m": message,
                "workspace": actor.workspace,
                "can_act": True,
                "sentiments": SENTIMENTS,
                "intents": INTENTS,
                "corrected": set(message.corrections.values_list("field", flat=True)),
                "error": error,
            },
            status=400 if error else 200,
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        return render(request, "learning/error.html", {"error": error}, status=400)
    url = reverse("conversation", args=[actor.workspace.name, message.conversation_id])
    return HttpResponseRedirect(f"{url}#m{message.pk}")


def _chart(versions) -> str:
    """An inline SVG: held-out accuracy before (shipped model) and after (refit), per refit and
    field, oldest refit first; empty when no refit has held-out corrections."""
    groups = []
    for v in reversed(versions[:10]):
        for field in ("sentiment", "intent"):
            s = (v.scores or {}).get(field) or {}
            if s.get("n") and s.get("before") is not None and s.get("after") is not None:
                groups.append((v, field, float(s["before"]), float(s["after"])))
    if not groups:
        return ""
    width, height, bar, gap = 64 * len(groups) + 40, 170, 22, 20
    parts = [
        format_html(
            '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
            'class="chart">',
            "Held-out accuracy before (grey: shipped model) and after (blue: refit)",
            width,
            height,
            width,
            height,
        ),
        '<line x1="30" y1="130" x2="100%" y2="130" stroke="#94a3b8"/>',
        '<text x="0" y="14" font-size="11" fill="#475569">100%</text>',
        '<text x="0" y="133" font-size="11" fill="#475569">0%</text>',
    ]
    for i, (v, field, before, after) in enumerate(groups):
        x = 36 + i * (2 * bar + gap)
        for j, (value, color, what) in enumerate(
            ((before, "#94a3b8", "shipped"), (after, "#1d4ed8", "refit"))
        ):
            h = round(max(0.0, min(1.0, value)) * 120)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} {}: {} {:.1%}</title></rect>",
                    x + j * bar,
                    130 - h,
                    bar - 2,
                    h,
                    color,
                    v.name,
                    field,
                    what,
                    value,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="146" font-size="11" fill="#1f2937">{}</text>'
                '<text x="{}" y="160" font-size="10" fill="#475569">#{}</text>',
                x,
                field,
                x,
                v.pk,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # every value went through format_html


@login_required
def triage_page(request, workspace: str):
    actor = _actor(request, workspace)
    actor.require("manage")
    summary = learning_summary(actor)
    return render(
        request,
        "learning/triage.html",
        {
            "workspace": actor.workspace,
            "actor": actor,
            "is_admin": actor.can("admin"),
            "summary": summary,
            "chart": _chart(summary["versions"]),
            "vip_text": "\n".join(actor.workspace.vip_handles or ()),
            "notice": request.GET.get("done", ""),
        },
    )


@login_required
@require_POST
def triage_post(request, workspace: str, what: str):
    actor = _actor(request, workspace)
    actor.require("manage")
    done = what
    if what == "refit":
        done = "refit" if actions.refit_request(actor) else "refit-pending"
    elif what == "rollback":
        actions.model_rollback(actor)
    elif what == "activate":
        version = get_object_or_404(
            WorkspaceModel, workspace=actor.workspace, pk=_id(request.POST.get("id"))
        )
        try:
            actions.model_activate(actor, version)
        except ValidationError as exc:
            return render(request, "learning/error.html", {"error": exc.messages[0]}, status=400)
    elif what == "vip":
        try:
            actions.vip_set(actor, request.POST.get("handles", ""))
        except ValidationError as exc:
            return render(request, "learning/error.html", {"error": exc.messages[0]}, status=400)
    else:
        raise Http404("no such form")
    return HttpResponseRedirect(reverse("triage", args=[actor.workspace.name]) + f"?done={done}")
