from __future__ import annotations

from django.apps import AppConfig


class OmnideskConfig(AppConfig):
    name = "omnidesk"
    verbose_name = "omnidesk"

    def ready(self) -> None:
        from omnidesk import db_adapters

        db_adapters.install()
