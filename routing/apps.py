from __future__ import annotations

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing and SLAs"

    def ready(self) -> None:
        from conversations import hooks
        from routing.actions.sla import keep_clock
        from routing.hooks import queue_inbound_work

        if queue_inbound_work not in hooks.after_inbound:
            hooks.after_inbound.append(queue_inbound_work)
        if keep_clock not in hooks.after_change:
            hooks.after_change.append(keep_clock)
