from __future__ import annotations

from jobs.outbox import enqueue_job


def queue_inbound_work(conversation_id: int, interaction_id: int, created: bool) -> None:
    """Filled into conversations.hooks.after_inbound, inside the inbound's transaction:
    routing and SLA work is a job of that change, run by a worker."""
    from routing.tasks import route_inbound_task

    enqueue_job(route_inbound_task, conversation_id, interaction_id, created)
