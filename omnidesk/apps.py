from __future__ import annotations

from django.apps import AppConfig


class OmnideskConfig(AppConfig):
    name = "omnidesk"
    verbose_name = "omnidesk"
