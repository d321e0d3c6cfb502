from __future__ import annotations

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        from conversations import hooks
        from routing.hooks import queue_inbound_work

        if queue_inbound_work not in hooks.after_inbound:
            hooks.after_inbound.append(queue_inbound_work)
