from __future__ import annotations

from django.apps import AppConfig


class MacrosConfig(AppConfig):
    name = "macros"
    verbose_name = "Canned responses and macros"
    default_auto_field = "django.db.models.BigAutoField"
