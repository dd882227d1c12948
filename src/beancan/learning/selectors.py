"""Reads of learning: the model triage uses for a workspace, and what the admin page shows."""

from __future__ import annotations

import threading

from beancan.learning.models import Correction, LearningState, WorkspaceModel
from beancan.triage import adapt
from beancan.triage.model import load_model
from beancan.workspaces.actors import Actor

_lock = threading.Lock()
_loaded: dict[int, object] = {}  # WorkspaceModel pk -> the adapted model (immutable rows)


def workspace_model(workspace_id: int):
    """The triage model of a workspace: its active refit, or the shipped model. A refit made for
    another shipped model (before an upgrade) is not used: the shipped model answers until the
    worker's clock refits the workspace on the new one (`learning.clock.schedule_refits`)."""
    active = (
        WorkspaceModel.objects.filter(workspace_id=workspace_id, active=True)
        .current()
        .values_list("pk", flat=True)
        .first()
    )
    if active is None:
        return load_model()
    with _lock:
        model = _loaded.get(active)
    if model is None:
        data = WorkspaceModel.objects.filter(pk=active).values_list("data", flat=True).get()
        model = adapt.AdaptedModel.from_bytes(load_model(), bytes(data))
        with _lock:
            if len(_loaded) > 64:
                _loaded.clear()
            _loaded[active] = model
    return model


def learning_summary(actor: Actor) -> dict:
    """The workspace's corrections, its models with their held-out scores, and the refit state."""
    actor.require("view")
    ws = actor.workspace
    versions = list(
        WorkspaceModel.objects.filter(workspace=ws).defer("data").order_by("-created_at")[:20]
    )
    state = LearningState.objects.filter(workspace=ws).first()
    return {
        "shipped": load_model().name,
        "active": next((v for v in versions if v.active), None),
        "versions": versions,
        "corrections": Correction.objects.filter(workspace=ws).count(),
        "recent": list(
            Correction.objects.filter(workspace=ws)
            .select_related("user", "message")
            .order_by("-updated_at")[:20]
        ),
        "state": state,
    }
