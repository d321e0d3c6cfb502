from __future__ import annotations

from celery import shared_task

from csat.actions.send import do_send_survey


@shared_task(acks_late=True)
def send_survey_task(conversation_id: int) -> int | None:
    """A resolved conversation's survey, created and queued once (idempotent)."""
    survey = do_send_survey(conversation_id)
    return survey.pk if survey is not None else None
