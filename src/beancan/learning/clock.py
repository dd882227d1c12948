"""The learning sweep of the worker's clock: queue a refit for each workspace whose corrections
changed since its last refit, or whose active refit adapts an older shipped model (after an
upgrade), at most once per REFIT_INTERVAL."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from beancan.learning.models import Correction, LearningState, WorkspaceModel

BATCH = 50


def schedule_refits(limit: int = BATCH) -> int:
    """Queue the refits that are due; returns how many were queued."""
    from beancan.learning.tasks import refit_workspace

    now = timezone.now()
    interval = timedelta(seconds=settings.BEANCAN_REFIT_INTERVAL)
    latest = Correction.objects.values("workspace_id").annotate(changed=Max("updated_at"))
    states = {s.workspace_id: s for s in LearningState.objects.all()}
    outdated = set(
        WorkspaceModel.objects.filter(active=True).outdated().values_list("workspace_id", flat=True)
    )
    queued = 0
    for row in latest.order_by("workspace_id"):
        state = states.get(row["workspace_id"])
        if state is not None:
            if state.refit_queued_at is not None and state.refit_queued_at > now - interval:
                continue  # queued and not yet stale
            if (
                row["workspace_id"] not in outdated
                and state.refit_done_at is not None
                and (state.refit_done_at >= row["changed"] or state.refit_done_at > now - interval)
            ):
                continue
        with transaction.atomic():
            LearningState.objects.update_or_create(
                workspace_id=row["workspace_id"], defaults={"refit_queued_at": now}
            )
            pk = row["workspace_id"]
            transaction.on_commit(lambda pk=pk: refit_workspace.enqueue(pk))
        queued += 1
        if queued >= limit:
            break
    return queued
