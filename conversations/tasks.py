from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from conversations.actions.delivery import (
    do_claim_for_sending,
    do_mark_failed,
    do_mark_sent,
    do_requeue,
)
from conversations.models import Interaction, Status
from conversations.transports import NoTransport, TransportError, get_transport

logger = logging.getLogger(__name__)



def _backoff(retries: int) -> int:
    return min(10 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_interaction_task(self: Task, interaction_id: int) -> str:
    """Send one queued outbound interaction through its channel's transport, once."""
    interaction = do_claim_for_sending(interaction_id)
    if interaction is None:
        return "skipped"
    try:
        result = get_transport(interaction.channel).send(interaction)
    except NoTransport as exc:
        do_mark_failed(interaction_id, str(exc))
        return "failed"
    except TransportError as exc:
        retries = self.request.retries or 0
        if exc.permanent or retries >= settings.OMNIDESK_SEND_MAX_RETRIES:
            do_mark_failed(interaction_id, exc.message)
            return "failed"
        do_requeue(interaction_id, exc.message)
        raise self.retry(
            countdown=_backoff(retries), max_retries=settings.OMNIDESK_SEND_MAX_RETRIES
        ) from exc
    except Exception as exc:
        # Unknown whether the provider took it: retrying could send twice, so stop here
        # and say so.
        logger.exception("transport crashed sending interaction %s", interaction_id)
        do_mark_failed(interaction_id, f"Unexpected error while sending: {exc}")
        return "failed"
    do_mark_sent(interaction_id, result)
    return "sent"


@shared_task
def fail_stuck_sends_task() -> int:
    """A worker that died mid-send leaves its message in "sending"; resending could
    duplicate it, so it is marked failed for an agent to check and resend."""
    cutoff = timezone.now() - timedelta(seconds=settings.OMNIDESK_SEND_STUCK_SECONDS)
    stuck = list(
        Interaction.objects.filter(status=Status.SENDING, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in stuck:
        do_mark_failed(
            pk, "The worker stopped while sending; it was not retried to avoid a duplicate."
        )
    return len(stuck)


@shared_task
def wake_snoozed_task() -> int:
    """Snoozed conversations whose time has come go back to open, with a timeline event."""
    from conversations.actions.update import do_wake_snoozed
    from conversations.models import Conversation, ConversationStatus

    due = Conversation.objects.filter(
        status=ConversationStatus.SNOOZED, snoozed_until__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(do_wake_snoozed(pk) for pk in list(due[:500]))
