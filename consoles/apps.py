from __future__ import annotations

from django.apps import AppConfig


class ConsolesConfig(AppConfig):
    """The admins' settings pages: inboxes, teams, agents, canned responses, macros."""

    name = "consoles"
    verbose_name = "Settings"
