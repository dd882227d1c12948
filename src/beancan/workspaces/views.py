"""The landing page: the user's workspaces and what is waiting in each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from beancan.inbox.models import Conversation, Status
from beancan.workspaces.models import Membership


@login_required
def home(request):
    now = timezone.now()
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    counts = {
        row["workspace_id"]: row
        for row in Conversation.objects.restrict(request.user, "view")
        .filter(status=Status.OPEN)
        .values("workspace_id")
        .annotate(
            open=Count("id"),
            waiting=Count("id", filter=Q(waiting_since__isnull=False)),
            breaching=Count(
                "id",
                filter=Q(first_response_due_at__lt=now) | Q(next_response_due_at__lt=now),
            ),
        )
    }
    rows = [
        {
            "workspace": m.workspace,
            "role": m.role,
            **{
                k: counts.get(m.workspace_id, {}).get(k, 0)
                for k in ("open", "waiting", "breaching")
            },
        }
        for m in memberships
    ]
    return render(request, "workspaces/home.html", {"workspaces": rows})
