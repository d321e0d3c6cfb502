from __future__ import annotations

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing and SLAs"

    def ready(self) -> None:
        from agents.actions import presence, routing_settings
        from conversations import hooks
        from routing.actions.sla import keep_clock
        from routing.hooks import (
            queue_agent_online,
            queue_freed_capacity,
            queue_inbound_work,
            queue_more_room,
            queue_requeued,
        )

        if queue_inbound_work not in hooks.after_inbound:
            hooks.after_inbound.append(queue_inbound_work)
        for change_hook in (keep_clock, queue_freed_capacity):
            if change_hook not in hooks.after_change:
                hooks.after_change.append(change_hook)
        if queue_requeued not in hooks.after_requeue:
            hooks.after_requeue.append(queue_requeued)
        if queue_agent_online not in presence.after_presence:
            presence.after_presence.append(queue_agent_online)
        if queue_more_room not in routing_settings.after_capacity:
            routing_settings.after_capacity.append(queue_more_room)
