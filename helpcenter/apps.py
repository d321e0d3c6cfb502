from __future__ import annotations

from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    """The public help center at /help/: articles in categories, per locale."""

    name = "helpcenter"
    verbose_name = "Help center"
