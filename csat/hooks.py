"""csat's fill of the core's extension points (conversations.hooks)."""

from __future__ import annotations

from django.conf import settings

from conversations.models import Conversation
from jobs.outbox import enqueue_job


def queue_survey(conversation: Conversation) -> None:
    """conversations.hooks.after_resolve: the survey is created and sent by a worker,
    in a job of the resolution's own transaction."""
    if settings.CSAT_ENABLED:
        from csat.tasks import send_survey_task

        enqueue_job(send_survey_task, conversation.pk)
