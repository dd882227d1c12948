"""A survey end to end: resolve → queued in the outbox with the first name → sent by the worker →
the customer's answer is recorded without reopening; expiry, a new problem, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

import factories as f
from beancan.inbox.actions import conversation_reopen, conversation_resolve
from beancan.inbox.clock import tick
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Conversation, Message, SendState, Status
from beancan.inbox.outbox import send_outbound
from beancan.realtime.models import Event
from beancan.surveys import actions
from beancan.surveys.models import State, Survey
from beancan.surveys.selectors import contact_surveys, survey_summary
from beancan.workspaces.models import AuditEvent
from netpeer import NetPeer

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "peer-secret"
POLICY = {
    "csat_enabled": "1",
    "csat_question": "Hi {first_name}, how did we do? Reply 1-5.",
    "send_as": "private",
    "delay_minutes": "0",
    "window_hours": "72",
}


def _setup(url: str, **policy):
    ws = f.workspace()
    ch = f.channel(ws, secret=SECRET, config={"send_url": url}, handle="brand", max_length=280)
    ingest(
        ch, [f.msg("in-1", author="maria", text="my router is broken", author_name="Maria Ruiz")]
    )
    agent = f.actor(ws, f.user(ws=ws))
    admin = f.actor(ws, f.user(ws=ws, role="admin"))
    actions.policy_save(admin, {**POLICY, **policy})
    return ws, ch, agent, Conversation.objects.get(workspace=ws)


def _send(survey: Survey) -> Message:
    assert actions.survey_send(survey.pk) == State.SENT
    survey.refresh_from_db()
    return survey.message


def test_resolve_queues_the_question_the_worker_sends_it_and_a_score_is_recorded():
    with NetPeer(SECRET) as peer:
        ws, ch, agent, conv = _setup(peer.url)
        conversation_resolve(agent, conv)
        survey = Survey.objects.get(conversation=conv)
        assert (survey.state, survey.kind, survey.contact_id) == (
            "scheduled",
            "csat",
            conv.contact_id,
        )
        assert tick()["surveys_sent"] == 1  # the clock sends what is due
        survey.refresh_from_db()
        question = survey.message
        assert survey.state == State.SENT and question.send_state == SendState.QUEUED
        assert question.text == "Hi Maria, how did we do? Reply 1-5." and question.private
        assert survey.expires_at - survey.sent_at == timedelta(hours=72)
        assert send_outbound(question.pk) == SendState.SENT
        assert peer.posts[question.idempotency_key]["body"]["text"] == question.text
        assert peer.posts[question.idempotency_key]["body"]["private"] is True
        question.refresh_from_db()
        conv.refresh_from_db()
        assert conv.status == Status.RESOLVED

        # The customer answers in the private thread (a reply to the question).
        ingest(
            ch, [f.msg("in-2", author="maria", text="5, thanks!", in_reply_to=question.external_id)]
        )
        survey.refresh_from_db()
        conv.refresh_from_db()
        answer = Message.objects.get(external_id="in-2")
        assert (survey.state, survey.score, survey.comment) == ("answered", 5, "thanks")
        assert survey.answer_id == answer.pk and answer.conversation_id == conv.pk
        assert conv.status == Status.RESOLVED
        event = Event.objects.filter(workspace=ws, type="survey.answered").get()
        assert event.payload == {
            "survey_id": survey.pk,
            "conversation_id": conv.pk,
            "contact_id": conv.contact_id,
            "kind": "csat",
            "score": 5,
            "comment": "thanks",
        }
        verbs = set(AuditEvent.objects.filter(workspace=ws).values_list("verb", flat=True))
        assert {"survey.scheduled", "survey.sent", "survey.answered"} <= verbs

        panel = contact_surveys(agent, conv.contact_id)
        assert [s.score for s in panel["items"]] == [5] and panel["csat"] == 1.0
        summary = survey_summary(agent)
        csat = summary["kinds"]["csat"]
        assert (csat["sent"], csat["responses"], csat["score"], csat["response_rate"]) == (
            1,
            1,
            1.0,
            1.0,
        )
        assert [s.pk for s in summary["latest"]] == [survey.pk]
        # The question is beancan's follow-up, not the team's reply: the conversation's facts
        # and the live metrics do not count it.
        assert conv.brand_replies == 0 and not conv.answered
        from beancan.analytics.metrics import workspace_metrics

        assert workspace_metrics(ws)["overall"]["answered"] == 0


def test_a_bare_direct_message_with_a_score_answers_without_starting_a_conversation():
    ws, ch, agent, conv = _setup("http://127.0.0.1:9/unused")
    conversation_resolve(agent, conv)
    _send(Survey.objects.get(conversation=conv))
    ingest(ch, [f.msg("dm-1", author="maria", text="⭐⭐⭐⭐")])  # no reply chain
    assert Conversation.objects.filter(workspace=ws).count() == 1
    survey = Survey.objects.get(conversation=conv)
    assert survey.score == 4
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED


def test_a_score_with_a_new_problem_is_recorded_and_reopens():
    _ws, ch, agent, conv = _setup("http://127.0.0.1:9/unused")
    conversation_resolve(agent, conv)
    _send(Survey.objects.get(conversation=conv))
    ingest(ch, [f.msg("dm-1", author="maria", text="5, but my router is still broken")])
    survey = Survey.objects.get(conversation=conv)
    conv.refresh_from_db()
    assert survey.score == 5 and survey.comment == "but my router is still broken"
    assert conv.status == Status.OPEN
    assert Message.objects.get(external_id="dm-1").conversation_id == conv.pk


def test_a_message_without_a_score_is_an_ordinary_message():
    _ws, ch, agent, conv = _setup("http://127.0.0.1:9/unused")
    conversation_resolve(agent, conv)
    question = _send(Survey.objects.get(conversation=conv))
    Message.objects.filter(pk=question.pk).update(external_id="q-1")
    ingest(ch, [f.msg("in-2", author="maria", text="it broke again", in_reply_to="q-1")])
    conv.refresh_from_db()
    assert conv.status == Status.OPEN
    assert Survey.objects.get(conversation=conv).state == State.SENT  # still open for a score


def test_an_expired_survey_is_not_recorded_and_the_message_reopens():
    ws, ch, agent, conv = _setup("http://127.0.0.1:9/unused", window_hours="1")
    conversation_resolve(agent, conv)
    survey = Survey.objects.get(conversation=conv)
    question = _send(survey)
    Message.objects.filter(pk=question.pk).update(external_id="q-1")
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # Before the sweep has closed it, the window alone refuses the answer.
    ingest(ch, [f.msg("in-2", author="maria", text="5", in_reply_to="q-1")])
    survey.refresh_from_db()
    conv.refresh_from_db()
    assert survey.state == State.SENT and survey.score is None
    assert conv.status == Status.OPEN
    assert tick()["surveys_expired"] == 1
    assert tick()["surveys_expired"] == 0  # idempotent
    survey.refresh_from_db()
    assert survey.state == State.EXPIRED
    assert AuditEvent.objects.filter(verb="surveys.expired", workspace=ws).count() == 1


def test_resolving_twice_sends_once_and_a_reopen_before_the_delay_cancels():
    _ws, ch, agent, conv = _setup("http://127.0.0.1:9/unused", delay_minutes="30")
    conversation_resolve(agent, conv)
    conversation_resolve(agent, conv)  # already resolved: the same resolution
    survey = Survey.objects.get(conversation=conv)
    assert tick()["surveys_sent"] == 0 and actions.survey_send(survey.pk) == "not due"
    Survey.objects.filter(pk=survey.pk).update(due_at=timezone.now())
    assert actions.survey_send(survey.pk) == State.SENT
    assert actions.survey_send(survey.pk) == "not scheduled"  # a second run sends nothing
    assert tick()["surveys_sent"] == 0
    assert Message.objects.filter(idempotency_key=f"survey-{survey.pk}").count() == 1
    # Reopened and resolved again while the first survey is open: no second survey.
    conversation_reopen(agent, conv)
    conversation_resolve(agent, conv)
    assert Survey.objects.filter(conversation=conv).count() == 1
    # Once answered, a new resolution is a new survey; reopened before it is due, it is cancelled.
    ingest(ch, [f.msg("dm-1", author="maria", text="4")])
    conversation_reopen(agent, conv)
    conversation_resolve(agent, conv)
    second = Survey.objects.filter(conversation=conv).latest("pk")
    assert second.pk != survey.pk and second.state == State.SCHEDULED
    conversation_reopen(agent, conv)
    Survey.objects.filter(pk=second.pk).update(due_at=timezone.now())
    assert tick()["surveys_sent"] == 0
    second.refresh_from_db()
    assert second.state == State.CANCELLED


def test_no_first_name_the_greeting_is_tidied_and_nps_when_both_are_on():
    ws = f.workspace()
    ch = f.channel(ws, handle="brand")
    ingest(ch, [f.msg("in-1", author="anon", text="help")])
    conv = Conversation.objects.get(workspace=ws)
    admin = f.actor(ws, f.user(ws=ws, role="admin"))
    actions.policy_save(admin, {**POLICY, "nps_enabled": "1", "send_as": "public"})
    conversation_resolve(admin, conv)
    survey = Survey.objects.get()
    assert survey.kind == "nps"  # never asked NPS: NPS first, then CSAT for 90 days
    message = _send(survey)
    assert message.text.startswith("Hi, how likely") and not message.private
    ingest(ch, [f.msg("in-2", author="anon", text="I'd say 8")])
    conversation_reopen(admin, conv)
    conversation_resolve(admin, conv)
    assert Survey.objects.latest("pk").kind == "csat"


def test_surveys_off_nothing_is_scheduled_and_a_bad_policy_changes_nothing():
    from django.core.exceptions import PermissionDenied, ValidationError

    ws, _ch, agent, conv = _setup("http://127.0.0.1:9/unused", csat_enabled="0")
    conversation_resolve(agent, conv)
    assert not Survey.objects.exists()
    admin = f.actor(ws, f.user(ws=ws, role="admin"))
    for bad, message in [
        ({"window_hours": "0"}, "window_hours: a whole number from 1"),
        ({"delay_minutes": "-5"}, "delay_minutes: a whole number"),
        ({"send_as": "shout"}, "send_as: private or public"),
        ({"csat_question": "About {order_id}?"}, "not {order_id}"),
        ({"csat_enabled": "maybe"}, "csat_enabled: on or off"),
    ]:
        with pytest.raises(ValidationError, match=message):
            actions.policy_save(admin, {**POLICY, **bad})
    from beancan.surveys.models import SurveyPolicy

    assert SurveyPolicy.objects.get(workspace=ws).csat_enabled is False
    with pytest.raises(PermissionDenied):
        actions.policy_save(agent, POLICY)


def test_an_over_long_public_question_fails_visibly():
    _ws, _ch, agent, conv = _setup(
        "http://127.0.0.1:9/unused", send_as="public", csat_question="Reply 1-5 " + "x" * 300
    )
    conversation_resolve(agent, conv)
    survey = Survey.objects.get()
    assert actions.survey_send(survey.pk) == State.FAILED
    survey.refresh_from_db()
    assert "limit of 280" in survey.error and survey.message_id is None
    assert not Message.objects.filter(idempotency_key__startswith="survey-").exists()
