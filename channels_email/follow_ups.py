"""What a recorded email sets off after its commit, as Celery tasks that take primary
keys: marking the outbound reply that a DSN reports as bounced, and the inbox's
acknowledgement of a new conversation.

receive.py records them as jobs (jobs.outbox) in the transaction that records the
message, so a crash or a broker outage between the commit and the follow-up loses
nothing: the relay publishes them. Each is idempotent:
a task delivered twice changes nothing the second time.
"""

from __future__ import annotations

import logging

from celery import shared_task

from channels_email.acknowledge import acknowledge
from conversations.actions.delivery import do_mark_failed, do_update_delivery
from conversations.models import Direction, Interaction, Status

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def mark_bounced_task(notice_id: int) -> str:
    return mark_bounced(notice_id)


@shared_task(acks_late=True)
def acknowledge_task(inbound_id: int) -> int | None:
    """Returns the queued acknowledgement's id, None when none was due."""
    reply = acknowledge(inbound_id)
    return reply.pk if reply is not None else None


def mark_bounced(notice_id: int) -> str:
    """Mark the reply that the DSN `notice_id` (an inbound email whose meta["bounce"]
    names it) reports as failed. Returns what happened, for logs and tests."""
    notice = Interaction.objects.filter(
        pk=notice_id, direction=Direction.INBOUND, channel="email"
    ).first()
    bounce = (notice.meta.get("bounce") if notice is not None else None) or {}
    if not bounce.get("failed") or not isinstance(bounce.get("interaction_id"), int):
        return "not a failure report"
    bounced = (
        Interaction.objects.filter(
            pk=bounce["interaction_id"], direction=Direction.OUTBOUND, channel="email"
        )
        .select_related("inbox")
        .first()
    )
    if bounced is None:
        return "reply gone"
    error = f"Bounced: {bounce.get('diagnostic') or ''}"[:2000]
    if bounced.status == Status.BOUNCED and bounced.error == error:
        return "already marked"
    if bounced.inbox is not None and bounced.provider_id:
        do_update_delivery(
            bounced.inbox,
            bounced.provider_id,
            Status.BOUNCED,
            error=error,
            meta={"bounce_interaction_id": notice_id},
        )
    else:
        do_mark_failed(bounced.pk, error, status=Status.BOUNCED)
    logger.info("interaction %s marked bounced by email %s", bounced.pk, notice_id)
    return "marked"
