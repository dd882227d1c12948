"""What people see of surveys: the customer panel, the surveys page, the admin form and the API;
roles and workspace isolation on each."""

from __future__ import annotations

import pytest
from django.test import Client

import factories as f
from beancan.inbox.actions import conversation_reopen, conversation_resolve
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation
from beancan.surveys import actions
from beancan.surveys.models import Survey, SurveyPolicy

pytestmark = pytest.mark.django_db


def _answered(ws, ch, author: str, name: str, scores: list[str], kind_field="csat_enabled"):
    """A customer's conversation resolved once per score, each survey answered with it."""
    admin = f.actor(ws, f.user(ws=ws, role="admin"))
    actions.policy_save(admin, {kind_field: "1"})
    ingest(ch, [f.msg(author=author, text="my router is broken", author_name=name)])
    conv = Conversation.objects.filter(workspace=ws).latest("pk")
    for text in scores:
        conversation_resolve(admin, conv)
        actions.survey_send(Survey.objects.filter(conversation=conv).latest("pk").pk)
        ingest(ch, [f.msg(author=author, text=text)])
        conversation_reopen(admin, conv)
    conversation_resolve(admin, conv)
    Survey.objects.filter(conversation=conv, state="scheduled").delete()
    return conv


@pytest.fixture
def acme():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="x", handle="acmehelp")
    conv = _answered(ws, ch, "rosa", "Rosa Diaz", ["5, thanks!", "2 - slow"])
    other = f.workspace("globex")
    _answered(other, f.channel(other, name="y"), "otto", "Otto", ["1"])
    return ws, conv


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_customer_panel_shows_the_contacts_surveys_and_their_csat(acme):
    ws, conv = acme
    html = _client(f.user(ws=ws)).get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert "<h3>Surveys</h3>" in html
    assert "CSAT <strong>50%</strong>" in html  # one of two answers scored 4-5
    assert html.count("data-survey=") == 2 and "<q>slow</q>" in html and "<q>thanks</q>" in html


def test_the_surveys_page_for_supervisors_with_metrics_chart_and_latest(acme):
    ws, _conv = acme
    page = _client(f.user(ws=ws, role="supervisor")).get("/w/acme/surveys/?days=all")
    assert page.status_code == 200
    html = page.content.decode()
    csat = html[html.index('data-kind="csat"') : html.index('data-kind="nps"')]
    assert 'data-metric="score">50%' in csat and 'data-metric="response-rate">100%' in csat
    assert '<svg role="img"' in csat and 'data-score="5" data-count="1"' in csat
    assert 'data-score="2" data-count="1"' in csat and 'data-score="3" data-count="0"' in csat
    assert "Rosa Diaz" in html and "Otto" not in html  # another workspace's answers never show
    assert (
        _client(f.user(ws=ws, role="supervisor")).get("/w/acme/surveys/?days=x").status_code == 404
    )


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_the_surveys_page_refuses_agents_and_viewers(acme, role):
    ws, _ = acme
    assert _client(f.user(ws=ws, role=role)).get("/w/acme/surveys/").status_code == 403


def test_pages_of_another_workspace_are_refused(acme):
    _ws, conv = acme
    outsider = f.user(ws=f.workspace("initech"), role="admin")
    c = _client(outsider)
    assert c.get("/w/acme/surveys/").status_code == 403
    assert c.get(f"/w/acme/c/{conv.pk}/").status_code == 403
    assert c.post("/w/acme/admin/surveys", {"csat_enabled": "1"}).status_code == 403
    assert c.get("/w/nowhere/surveys/").status_code == 404


def test_the_admin_form_saves_the_policy_and_a_bad_value_is_a_400_that_changes_nothing(acme):
    ws, _ = acme
    admin = _client(f.user(ws=ws, role="admin"))
    page = admin.get("/w/acme/admin/").content.decode()
    assert 'id="surveys"' in page and "Hi {first_name}, how did we do?" in page
    good = {
        "csat_enabled": "1",
        "nps_enabled": "1",
        "csat_question": "Hey {first_name}, rate us 1-5",
        "nps_question": "Recommend us? 0-10",
        "send_as": "public",
        "delay_minutes": "15",
        "window_hours": "48",
    }
    assert admin.post("/w/acme/admin/surveys", good).status_code == 302
    policy = SurveyPolicy.objects.get(workspace=ws)
    assert (policy.nps_enabled, policy.private, policy.delay_minutes, policy.window_hours) == (
        True,
        False,
        15,
        48,
    )
    bad = admin.post("/w/acme/admin/surveys", {**good, "window_hours": "0", "send_as": "private"})
    assert bad.status_code == 400
    assert 'id="surveys-error">window_hours: a whole number from 1 to 2160<' in bad.content.decode()
    policy.refresh_from_db()
    assert policy.window_hours == 48 and not policy.private
    supervisor = _client(f.user(ws=ws, role="supervisor"))
    assert 'id="surveys"' not in supervisor.get("/w/acme/admin/").content.decode()
    assert supervisor.post("/w/acme/admin/surveys", good).status_code == 403


def test_the_api_lists_summarises_and_shows_surveys_in_the_contact(acme):
    ws, conv = acme
    c = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {f.token(ws, 'viewer')}"}
    rows = c.get("/api/surveys", **auth).json()
    assert [r["score"] for r in rows] == [2, 5] and {r["conversation_id"] for r in rows} == {
        conv.pk
    }
    assert c.get("/api/surveys?kind=nps", **auth).json() == []
    assert len(c.get("/api/surveys?state=answered&limit=1", **auth).json()) == 1
    assert c.get("/api/surveys?kind=ces", **auth).status_code == 400
    assert c.get("/api/surveys?since=2026-01-01T00:00:00", **auth).status_code == 400
    summary = c.get("/api/surveys/summary", **auth).json()
    assert summary["csat"]["score"] == 0.5 and summary["csat"]["response_rate"] == 1.0
    assert summary["csat"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert summary["nps"] == {
        "sent": 0,
        "responses": 0,
        "response_rate": None,
        "score": None,
        "distribution": {str(i): 0 for i in range(11)},
    }
    assert [s["score"] for s in summary["latest"]] == [2, 5]
    contact = c.get(f"/api/contacts/{conv.contact_id}", **auth).json()
    assert contact["csat"] == 0.5 and [s["score"] for s in contact["surveys"]] == [2, 5]
    # Another workspace's token sees none of it.
    other = {"HTTP_AUTHORIZATION": f"Bearer {f.token(f.workspace('hooli'), 'admin')}"}
    assert c.get("/api/surveys", **other).json() == []
    assert c.get(f"/api/contacts/{conv.contact_id}", **other).status_code == 404
    assert c.get("/api/surveys").status_code == 401
