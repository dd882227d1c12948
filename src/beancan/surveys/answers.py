"""The survey side of ingest: which new customer messages answer an open survey. Ingest asks
once per batch, threads each message as usual, lets a score answer join its survey's
conversation without reopening it (unless the comment needs a person), and has the answers
recorded in its own transaction once the messages are stored."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from beancan.care.surveys import Answer, read_answer
from beancan.surveys.actions import survey_answer_record
from beancan.surveys.models import State, Survey


@dataclass
class Match:
    survey: Survey
    answer: Answer

    @property
    def keeps_resolved(self) -> bool:
        """Only a score (with thanks or praise): the conversation stays as it is."""
        return not self.answer.needs_reply


class SurveyAnswers:
    """The open surveys of one ingest batch's authors on one channel."""

    def __init__(self, surveys: list[Survey]) -> None:
        self.open = {s.contact_id: s for s in surveys}
        self.matched: list[tuple[Match, object]] = []

    @classmethod
    def open_for(cls, channel, contact_ids) -> SurveyAnswers:
        """One query: surveys sent on this channel to these contacts, unanswered, in window."""
        ids = [c for c in contact_ids if c is not None]
        if not ids:
            return cls([])
        surveys = (
            Survey.objects.filter(
                channel=channel,
                contact_id__in=ids,
                state=State.SENT,
                expires_at__gt=timezone.now(),
            )
            .select_related("conversation")
            .order_by("sent_at")
        )
        return cls(list(surveys))

    def match(self, m, contact_id, threaded) -> Match | None:
        """The survey this new message answers, or None: a customer message carrying a score,
        from a contact with an open survey, that threads into the survey's conversation or has
        no thread of its own (a new direct message)."""
        survey = self.open.get(contact_id) if m.is_in else None
        if survey is None:
            return None
        explicit = threaded is not None and (m.conversation_key or m.in_reply_to)
        if explicit and threaded.pk != survey.conversation_id:
            return None  # it replies to something else
        answer = read_answer(m.text, survey.kind)
        if answer is None:
            return None
        del self.open[contact_id]  # a survey takes one answer
        return Match(survey, answer)

    def stored(self, match: Match, row) -> None:
        """Note the stored message of a match, to record once the batch is saved."""
        self.matched.append((match, row))

    def record(self) -> int:
        """Record every matched answer; returns how many were recorded."""
        return sum(survey_answer_record(m.survey, m.answer, row) for m, row in self.matched)
