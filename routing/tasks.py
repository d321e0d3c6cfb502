from __future__ import annotations

from celery import shared_task

from routing.actions.sla import do_start_response_clock


@shared_task(acks_late=True)
def route_inbound_task(conversation_id: int, interaction_id: int, created: bool) -> None:
    """Routing and SLA work for a conversation that just received an inbound message.

    Team assignment comes from the inbox for now (set by the pipeline); routing rules and
    agent assignment plug in here.
    """
    do_start_response_clock(conversation_id)


@shared_task(acks_late=True)
def sweep_sla_task() -> int:
    """Beat: the SLA clocks whose warning or due moment has passed."""
    from routing.actions.timers import do_sweep_sla

    return do_sweep_sla()
