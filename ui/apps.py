from __future__ import annotations

from django.apps import AppConfig


class UiConfig(AppConfig):
    """The design system's server side: template tags, navigation, the style guide.
    No models."""

    name = "ui"
    verbose_name = "Design system"
