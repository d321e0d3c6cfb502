from __future__ import annotations

from celery import shared_task

from agents.actions.presence import do_expire_presence


@shared_task(acks_late=True)
def expire_presence_task() -> int:
    """Beat: agents with no pinging socket for the grace period go offline."""
    return do_expire_presence()


@shared_task(acks_late=True)
def send_invitation_task(user_id: int) -> str:
    """The invitation email of an invited agent (agents.actions.invite). Skipped once
    they have chosen a password or were deactivated; sent again only if the worker dies
    mid-send."""
    from agents.invitation import send_invitation

    return send_invitation(user_id)


@shared_task(acks_late=True)
def unassign_deactivated_task(user_id: int, by_id: int | None) -> int:
    """A deactivated agent's unresolved conversations go back to their teams' queues
    (agents.actions.active); nothing if they were reactivated meanwhile."""
    from agents.actions.active import do_unassign_deactivated

    return do_unassign_deactivated(user_id, by_id)
