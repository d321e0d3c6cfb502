from __future__ import annotations

from django.apps import AppConfig


class SpoolConfig(AppConfig):
    """Accept now, record in batches: provider webhooks land in the spool in one INSERT,
    and a drain records them through the pipeline, several per transaction."""

    name = "spool"
    verbose_name = "Inbound spool"
