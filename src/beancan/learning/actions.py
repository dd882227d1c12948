"""Corrections and refits: every change here checks the actor, writes the audit row and the
realtime event in the same transaction, and queues the refit only after commit."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beancan.inbox.models import Direction, Message
from beancan.learning.models import Correction, Field, LearningState, WorkspaceModel
from beancan.realtime.events import publish
from beancan.triage import adapt
from beancan.triage.model import load_model
from beancan.triage.sentiment import MAX_CHARS
from beancan.triage.types import INTENTS, SENTIMENTS
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Workspace

LABELS = {Field.SENTIMENT: SENTIMENTS, Field.INTENT: INTENTS}


@transaction.atomic
def correction_record(actor: Actor, message: Message, field: str, label: str) -> Correction:
    """An agent says what a customer message's sentiment or intent really is."""
    actor.require("act")
    actor.require_same_workspace(message)
    if field not in LABELS:
        raise ValidationError(f"field: must be one of {', '.join(LABELS)}")
    if label not in LABELS[field]:
        raise ValidationError(f"label: must be one of {', '.join(LABELS[field])}")
    if message.direction != Direction.INBOUND:
        raise ValidationError("message: only customer messages are triaged")
    message = Message.objects.select_for_update().get(pk=message.pk)
    current = message.sentiment_label if field == Field.SENTIMENT else message.intent
    correction = Correction.objects.filter(message=message, field=field).first()
    if correction is None:
        correction = Correction(
            workspace_id=message.workspace_id,
            message=message,
            field=field,
            predicted=current,
            text=message.text[:MAX_CHARS],
        )
    correction.label = label
    correction.user = actor.user
    correction.save()
    if field == Field.SENTIMENT:
        message.sentiment_label = label
        message.save(update_fields=["sentiment_label"])
    else:
        message.intent = label
        message.save(update_fields=["intent"])
    actor.audit(
        "triage.corrected", message, field=field, predicted=correction.predicted, label=label
    )
    from beancan.inbox.actions import conversation_event
    from beancan.inbox.state import refresh_conversations

    [conv] = refresh_conversations(actor.workspace, [message.conversation_id])
    publish(message.workspace_id, "conversation.updated", conversation_event(conv))
    publish(
        message.workspace_id,
        "message.triaged",
        {
            "conversation_id": message.conversation_id,
            "message_id": message.pk,
            "field": field,
            "label": label,
        },
    )
    return correction


def _corrections(workspace_id: int) -> list[adapt.Correction]:
    rows = Correction.objects.filter(workspace_id=workspace_id).order_by("message_id", "field")
    return [
        adapt.Correction(text=text, field=field, label=label)
        for field, label, text in rows.values_list("field", "label", "text")
    ]


def model_refit(workspace: Workspace) -> WorkspaceModel | None:
    """Refit the workspace's model from all its corrections, on top of the shipped model.

    The scores are those of a fit without the held-out corrections, measured on them (before:
    the shipped model; after: the refit); the model deployed is then fitted on every correction.
    It becomes active unless it is worse than the shipped model on the held-out part."""
    corrections = _corrections(workspace.pk)
    LearningState.objects.update_or_create(
        workspace=workspace, defaults={"refit_done_at": timezone.now(), "refit_queued_at": None}
    )
    if not corrections:
        return None
    base = load_model()
    started = time.perf_counter()
    probe = adapt.refit(base, corrections)
    deployed = adapt.fit_adapted(base, corrections)
    elapsed = time.perf_counter() - started
    heldout = probe.n_held_out
    scores = {
        field: {
            "before": probe.before[field]["accuracy"],
            "after": probe.after[field]["accuracy"],
            "n": probe.before[field]["n"],
        }
        for field in adapt.FIELDS
    }
    worse = any(
        s["before"] is not None and s["after"] is not None and s["after"] < s["before"]
        for s in scores.values()
    )
    with transaction.atomic():
        version = WorkspaceModel.objects.create(
            workspace=workspace,
            base=base.name,
            name=deployed.name,  # names its content: the same corrections give the same name
            corrections=len(corrections),
            heldout=heldout,
            scores=scores,
            fit_seconds=round(elapsed, 3),
            data=deployed.to_bytes(),
        )
        if not worse:
            _activate(workspace, version)
        else:  # a refit of an older shipped model is not kept active beside a worse new one
            WorkspaceModel.objects.filter(workspace=workspace, active=True).outdated().update(
                active=False
            )
        Actor.system(workspace, "learning").audit(
            "triage.model_refitted",
            version,
            corrections=len(corrections),
            scores=scores,
            activated=not worse,
        )
        publish(workspace.pk, "triage.model", {"model": version.name, "active": not worse})
    return version


def _activate(workspace: Workspace, version: WorkspaceModel | None) -> None:
    WorkspaceModel.objects.filter(workspace=workspace, active=True).update(active=False)
    if version is not None:
        WorkspaceModel.objects.filter(pk=version.pk).update(active=True)
        version.active = True


@transaction.atomic
def model_activate(actor: Actor, version: WorkspaceModel) -> WorkspaceModel:
    """Make one of the workspace's refitted models the one triage uses."""
    actor.require("admin")
    actor.require_same_workspace(version)
    if version.outdated:
        raise ValidationError(
            f"{version.name} adapts {version.base}, not the shipped {load_model().name}: "
            "refit instead"
        )
    _activate(actor.workspace, version)
    actor.audit("triage.model_activated", version, model=version.name)
    publish(actor.workspace.pk, "triage.model", {"model": version.name, "active": True})
    return version


@transaction.atomic
def model_rollback(actor: Actor) -> None:
    """Go back to the shipped model (the refitted ones are kept and can be activated again)."""
    actor.require("admin")
    _activate(actor.workspace, None)
    actor.audit("triage.model_rolled_back", actor.workspace)
    publish(actor.workspace.pk, "triage.model", {"model": load_model().name, "active": True})


@transaction.atomic
def refit_request(actor: Actor) -> bool:
    """Ask the worker to refit now (supervisors and admins); False if one is already queued."""
    actor.require("manage")
    from beancan.learning.tasks import refit_workspace

    state, _ = LearningState.objects.select_for_update().get_or_create(workspace=actor.workspace)
    if state.refit_queued_at is not None:
        return False
    state.refit_queued_at = timezone.now()
    state.save(update_fields=["refit_queued_at"])
    actor.audit("triage.refit_requested", actor.workspace)
    pk = actor.workspace.pk
    transaction.on_commit(lambda: refit_workspace.enqueue(pk))
    return True


MAX_VIPS = 5_000


@transaction.atomic
def vip_set(actor: Actor, text: str) -> list[str]:
    """Replace the workspace's VIP list (handles, one per line or comma-separated)."""
    actor.require("admin")
    handles: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        handle = raw.strip().lstrip("@").lower()
        if not handle:
            continue
        if len(handle) > 200 or not handle.isprintable() or " " in handle:
            raise ValidationError(f"handles: {raw.strip()[:40]!r} is not a handle")
        if handle not in handles:
            handles.append(handle)
    if len(handles) > MAX_VIPS:
        raise ValidationError(f"handles: at most {MAX_VIPS:,} VIPs")
    ws = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
    before = list(ws.vip_handles or ())
    ws.vip_handles = handles
    ws.save(update_fields=["vip_handles"])
    actor.workspace.vip_handles = handles
    actor.audit(
        "workspace.vips_set",
        ws,
        added=sorted(set(handles) - set(before)),
        removed=sorted(set(before) - set(handles)),
    )
    return handles
