from __future__ import annotations


def queue_inbound_work(conversation_id: int, interaction_id: int, created: bool) -> None:
    """Filled into conversations.hooks.after_inbound: routing and SLA run in a worker."""
    from routing.tasks import route_inbound_task

    route_inbound_task.delay(conversation_id, interaction_id, created)
