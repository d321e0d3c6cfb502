from __future__ import annotations

from django.apps import AppConfig


class CsatConfig(AppConfig):
    """Customer satisfaction: one survey per resolution, answered by a signed link."""

    name = "csat"
    verbose_name = "Satisfaction surveys"
