from __future__ import annotations

from celery import shared_task

from agents.actions.presence import do_expire_presence


@shared_task(acks_late=True)
def expire_presence_task() -> int:
    """Beat: agents with no pinging socket for the grace period go offline."""
    return do_expire_presence()
