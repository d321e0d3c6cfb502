from __future__ import annotations

from celery import shared_task

from routing.actions.assign import do_assign_all_waiting, do_assign_waiting
from routing.actions.rules import do_route
from routing.actions.sla import do_start_response_clock


@shared_task(acks_late=True)
def route_inbound_task(conversation_id: int, interaction_id: int, created: bool) -> None:
    """Routing work for a conversation that just received an inbound message: the
    routing rules (on a new conversation, or a channel switch), then its team's waiting
    conversations are assigned (the SLA clock was kept by the inbound's
    own transaction; brought up to date here too, which is idempotent)."""
    do_route(conversation_id, interaction_id, created=created)
    conversation = do_start_response_clock(conversation_id)
    if conversation is not None and conversation.team_id is not None:
        do_assign_waiting(conversation.team_id)


@shared_task(acks_late=True)
def assign_team_task(team_id: int) -> int:
    """Capacity freed or an agent came online: assign the team's waiters."""
    return do_assign_waiting(team_id)


@shared_task(acks_late=True)
def assign_all_waiting_task() -> int:
    """Beat, the safety net: every team's waiters."""
    return do_assign_all_waiting()


@shared_task(acks_late=True)
def sweep_sla_task() -> int:
    """Beat: the SLA clocks whose warning or due moment has passed."""
    from routing.actions.timers import do_sweep_sla

    return do_sweep_sla()
