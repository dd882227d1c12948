"""API of triage learning: agents correct a customer message's sentiment or intent; admins see
the workspace's refitted models with their held-out scores, refit now, activate or roll back."""

from __future__ import annotations

from ninja import Router

from beancan.api import io
from beancan.inbox.models import Direction, Message
from beancan.learning import actions
from beancan.learning.models import WorkspaceModel
from beancan.learning.selectors import learning_summary

learning = Router(tags=["triage"])
ERRORS = {400: io.Detail, 403: io.Detail, 404: io.Detail}


def _actor(request, action: str = "view"):
    from beancan.api.service import _actor as actor_for

    return actor_for(request, action)


@learning.post("/messages/{message_id}/corrections", response={200: io.CorrectionOut, **ERRORS})
def correction_create(request, message_id: int, payload: io.CorrectionIn):
    """Correct the sentiment or intent of a customer message; the workspace's model learns it at
    its next refit."""
    actor = _actor(request, "act")
    message = Message.objects.in_workspace(actor.workspace).get(
        pk=message_id, direction=Direction.INBOUND
    )
    c = actions.correction_record(actor, message, payload.field, payload.label)
    return {"message_id": message.pk, "field": c.field, "predicted": c.predicted, "label": c.label}


def _version_out(v: WorkspaceModel) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "created_at": v.created_at,
        "corrections": v.corrections,
        "heldout": v.heldout,
        "scores": v.scores,
        "fit_seconds": v.fit_seconds,
        "active": v.active,
    }


def _summary_out(actor) -> dict:
    s = learning_summary(actor)
    return {
        "shipped": s["shipped"],
        "active": s["active"].name if s["active"] else s["shipped"],
        "corrections": s["corrections"],
        "versions": [_version_out(v) for v in s["versions"]],
    }


@learning.get("/triage/model", response={200: io.TriageModelOut, **ERRORS})
def model_get(request):
    """The model triage uses in this workspace, and its refits with held-out accuracy before
    (shipped model) and after (refit)."""
    return _summary_out(_actor(request))


@learning.post("/triage/model/refit", response={200: io.TriageModelOut, **ERRORS})
def model_refit(request):
    """Ask the worker to refit the workspace's model from its corrections now."""
    actor = _actor(request, "manage")
    actions.refit_request(actor)
    return _summary_out(actor)


@learning.post("/triage/model/rollback", response={200: io.TriageModelOut, **ERRORS})
def model_rollback(request):
    """Use the shipped model again (refits are kept)."""
    actor = _actor(request, "admin")
    actions.model_rollback(actor)
    return _summary_out(actor)


@learning.post("/triage/model/{version_id}/activate", response={200: io.TriageModelOut, **ERRORS})
def model_activate(request, version_id: int):
    """Use one of the workspace's refitted models."""
    actor = _actor(request, "admin")
    version = WorkspaceModel.objects.in_workspace(actor.workspace).get(pk=version_id)
    actions.model_activate(actor, version)
    return _summary_out(actor)
