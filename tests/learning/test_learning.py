"""Learning from the team: corrections are stored through the action, the worker refits the
workspace's model on top of the shipped one, ingest uses it, and a workspace can roll back."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message
from beancan.learning import actions
from beancan.learning.clock import schedule_refits
from beancan.learning.models import Correction, LearningState, WorkspaceModel
from beancan.learning.selectors import workspace_model
from beancan.realtime.models import Event
from beancan.triage.model import load_model
from beancan.workspaces.models import AuditEvent

pytestmark = pytest.mark.django_db

# A brand's own slang the shipped model cannot know: at this brand "grumbo" means the parcel
# arrived broken. The team teaches it by correcting sentiment and intent.
GRUMBO = [
    f"@brand my {thing} came grumbo {when}"
    for thing in ("parcel", "order", "box", "delivery", "package", "lamp", "chair", "kettle")
    for when in ("today", "again", "this morning", "yesterday", "last night", "twice now")
]


def _world():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="web", handle="brand")
    agent = f.user("agnes", ws=ws)
    return ws, ch, f.actor(ws, agent)


def _ingest_texts(ch, texts, prefix="g"):
    ingest(ch, [f.msg(f"{prefix}{i}", author=f"cust{i}", text=t) for i, t in enumerate(texts)])
    return list(Message.objects.filter(channel=ch, external_id__startswith=prefix).order_by("pk"))


def test_a_correction_relabels_the_message_and_is_audited_and_published():
    _ws, ch, agent = _world()
    [m] = _ingest_texts(ch, ["@brand where is my refund, it has been three weeks"])
    assert m.intent and m.sentiment_label and m.language and m.triage_model == load_model().name
    actions.correction_record(agent, m, "intent", "request")
    m.refresh_from_db()
    assert m.intent == "request"
    c = Correction.objects.get(message=m, field="intent")
    assert c.label == "request" and c.text.startswith("@brand where is my refund")
    assert AuditEvent.objects.filter(verb="triage.corrected", object_id=m.pk).exists()
    ev = Event.objects.filter(type="message.triaged").last()
    assert ev.payload == {
        "conversation_id": m.conversation_id,
        "message_id": m.pk,
        "field": "intent",
        "label": "request",
    }
    # Correcting again replaces the label, keeping what the model said first.
    actions.correction_record(agent, m, "intent", "complaint")
    c.refresh_from_db()
    assert Correction.objects.filter(message=m).count() == 1 and c.label == "complaint"
    assert Conversation.objects.get(pk=m.conversation_id).intent == "complaint"


def test_corrections_are_checked_for_role_workspace_field_and_label():
    ws, ch, agent = _world()
    [m] = _ingest_texts(ch, ["@brand hello"])
    viewer = f.actor(ws, f.user("vic", ws=ws, role="viewer"))
    with pytest.raises(PermissionDenied):
        actions.correction_record(viewer, m, "intent", "question")
    other = f.workspace("other")
    with pytest.raises(PermissionDenied):
        actions.correction_record(f.actor(other, f.user("oz", ws=other)), m, "intent", "question")
    with pytest.raises(ValidationError, match="field"):
        actions.correction_record(agent, m, "urgency", "high")
    with pytest.raises(ValidationError, match="label"):
        actions.correction_record(agent, m, "sentiment", "furious")
    assert not Correction.objects.exists()


def _teach(agent, ch):
    messages = _ingest_texts(ch, GRUMBO)
    for m in messages:
        actions.correction_record(agent, m, "sentiment", "negative")
        actions.correction_record(agent, m, "intent", "complaint")
    return messages


def test_refit_learns_the_teams_labels_and_ingest_uses_the_workspace_model():
    ws, ch, agent = _world()
    base = load_model()
    probe = "@brand my suitcase came grumbo on monday"
    assert base.predict(probe).sentiment != "negative" or base.predict(probe).intent != "complaint"
    _teach(agent, ch)
    version = actions.model_refit(ws)
    assert version is not None and version.active and version.corrections == 2 * len(GRUMBO)
    assert version.heldout > 0
    for field in ("sentiment", "intent"):
        s = version.scores[field]
        assert s["n"] > 0 and s["after"] >= s["before"] and s["after"] >= 0.9
    model = workspace_model(ws.pk)
    assert model.name == version.name
    [m] = _ingest_texts(ch, [probe], prefix="p")
    assert (m.sentiment_label, m.intent, m.triage_model) == ("negative", "complaint", version.name)
    # Another workspace still uses the shipped model.
    assert workspace_model(f.workspace("other").pk).name == base.name
    # Roll back: the shipped model again, the refit kept.
    admin = f.actor(ws, f.user("ada", ws=ws, role="admin"))
    actions.model_rollback(admin)
    assert workspace_model(ws.pk).name == base.name
    assert WorkspaceModel.objects.filter(workspace=ws, active=False).count() == 1
    actions.model_activate(admin, version)
    assert workspace_model(ws.pk).name == version.name
    with pytest.raises(PermissionDenied):
        actions.model_rollback(agent)


@pytest.mark.django_db(transaction=True)
def test_the_clock_queues_one_refit_and_the_worker_runs_it():
    from django_tasks_db.models import DBTaskResult

    ws, ch, agent = _world()
    _teach(agent, ch)
    assert schedule_refits() == 1
    assert schedule_refits() == 0  # already queued
    assert LearningState.objects.get(workspace=ws).refit_queued_at is not None
    [task] = DBTaskResult.objects.all()
    assert task.task_path.endswith("refit_workspace") and task.args_kwargs["args"] == [ws.pk]
    f.run_worker_once()
    version = WorkspaceModel.objects.get(workspace=ws)
    assert version.active
    assert schedule_refits() == 0  # nothing changed since


@pytest.mark.django_db(transaction=True)
def test_a_refit_of_an_older_shipped_model_is_set_aside_and_redone_after_an_upgrade():
    """After an upgrade ships a new model, a workspace's refit of the old one is not used (its
    delta belongs to other weights): the shipped model answers, the clock refits at once on the
    new one, and the old refit cannot be activated again."""
    ws, ch, agent = _world()
    _teach(agent, ch)
    version = actions.model_refit(ws)
    assert workspace_model(ws.pk).name == version.name
    assert schedule_refits() == 0  # refitted after the last correction
    WorkspaceModel.objects.filter(pk=version.pk).update(base="beancan-triage-0")  # the upgrade
    assert workspace_model(ws.pk).name == load_model().name
    [m] = _ingest_texts(ch, ["@brand my mug came grumbo"], prefix="u")
    assert m.triage_model == load_model().name
    admin = f.actor(ws, f.user("ada", ws=ws, role="admin"))
    with pytest.raises(ValidationError, match="adapts beancan-triage-0"):
        actions.model_activate(admin, WorkspaceModel.objects.get(pk=version.pk))
    assert schedule_refits() == 1  # no new correction, but the active refit is outdated
    f.run_worker_once()
    fresh = WorkspaceModel.objects.filter(workspace=ws, active=True).get()
    assert fresh.pk != version.pk and fresh.base == load_model().name
    assert workspace_model(ws.pk).name == fresh.name


def test_the_triage_page_and_the_correction_form(django_capture_on_commit_callbacks):
    ws, ch, agent = _world()
    [m] = _ingest_texts(ch, ["@brand my parcel came grumbo"])
    client = Client()
    client.force_login(agent.user)
    page = client.get(f"/w/acme/c/{m.conversation_id}/")
    assert f'id="triage-{m.pk}"' in page.content.decode()
    r = client.post(
        f"/w/acme/triage/correct/{m.pk}",
        {"field": "sentiment", "label": "negative"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "negative ✓" in r.content.decode()
    bad = client.post(
        f"/w/acme/triage/correct/{m.pk}",
        {"field": "sentiment", "label": "meh"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and "label: must be one of" in bad.content.decode()
    assert client.get("/w/acme/triage/").status_code == 403  # agents don't manage models
    lead = f.user("lee", ws=ws, role="supervisor")
    client.force_login(lead)
    page = client.get("/w/acme/triage/").content.decode()
    assert "Model in use" in page and load_model().name in page
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/w/acme/triage/refit").status_code == 302
    assert DBTaskResult.objects.get().task_path.endswith("refit_workspace")
    assert "A refit is queued" in client.get("/w/acme/triage/?done=refit").content.decode()
    # A user of another workspace gets nothing.
    other = f.workspace("other")
    client.force_login(f.user("oz", ws=other, role="admin"))
    assert (
        client.post(
            f"/w/acme/triage/correct/{m.pk}", {"field": "intent", "label": "other"}
        ).status_code
        == 403
    )
    assert client.get("/w/acme/triage/").status_code == 403


def test_vip_list_raises_urgency():
    ws, ch, agent = _world()
    admin = f.actor(ws, f.user("ada", ws=ws, role="admin"))
    ingest(ch, [f.msg("a", author="plain", text="@brand my order is late")])
    ingest(ch, [f.msg("b", author="bigfish", text="@brand my order is late")])
    plain = Conversation.objects.get(messages__external_id="a")
    actions.vip_set(admin, "@BigFish\n\n")
    assert ws.vip_handles == ["bigfish"]
    ingest(ch, [f.msg("c", author="bigfish", text="@brand my order is late", minutes=1)])
    vip = Conversation.objects.get(messages__external_id="c")
    assert vip.urgency > plain.urgency
    assert any("VIP" in r for r in vip.urgency_reasons)
    with pytest.raises(ValidationError):
        actions.vip_set(admin, "not a handle")
    with pytest.raises(PermissionDenied):
        actions.vip_set(agent, "x")


def test_api_corrections_model_and_filters():
    ws, ch, _agent = _world()
    token = f.token(ws, "agent")
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    c = Client()
    [m] = _ingest_texts(ch, ["@brand the app crashes every time I open it, fix it please"])
    r = c.post(
        f"/api/messages/{m.pk}/corrections",
        json.dumps({"field": "intent", "label": "complaint"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["label"] == "complaint"
    bad = c.post(
        f"/api/messages/{m.pk}/corrections",
        json.dumps({"field": "intent", "label": "nope"}),
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 400 and "label" in bad.json()["detail"]
    detail = c.get(f"/api/conversations/{m.conversation_id}", **h).json()
    [out] = detail["messages"]
    assert out["intent"] == "complaint" and out["corrected"] == ["intent"]
    assert out["language"] == "en" and 0 <= out["sentiment_confidence"] <= 1
    listed = c.get("/api/conversations", {"intent": "complaint"}, **h).json()
    assert [i["id"] for i in listed["items"]] == [m.conversation_id]
    assert c.get("/api/conversations", {"intent": "praise"}, **h).json()["count"] == 0
    assert c.get("/api/conversations", {"language": "en"}, **h).json()["count"] == 1
    model = c.get("/api/triage/model", **h).json()
    assert model["active"] == load_model().name and model["corrections"] == 1
    assert c.post("/api/triage/model/rollback", **h).status_code == 403  # agents may not
    other = f.workspace("other")
    h2 = {"HTTP_AUTHORIZATION": f"Bearer {f.token(other, 'admin')}"}
    r = c.post(
        f"/api/messages/{m.pk}/corrections",
        json.dumps({"field": "intent", "label": "other"}),
        content_type="application/json",
        **h2,
    )
    assert r.status_code == 404
