from __future__ import annotations

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Agent workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations import hooks
        from workspace.notifications import notify_assignment, notify_sla_event

        if notify_assignment not in hooks.after_assign:
            hooks.after_assign.append(notify_assignment)
        if notify_sla_event not in hooks.after_event:
            hooks.after_event.append(notify_sla_event)
