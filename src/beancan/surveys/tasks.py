"""Background tasks of surveys: thin, they take ids and call the action."""

from __future__ import annotations

from django_tasks import task


@task()
def send_survey(survey_id: int) -> str:
    from beancan.surveys.actions import survey_send

    return survey_send(survey_id)
