from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The durable job outbox: work a committed change needs, relayed to Celery."""

    name = "jobs"
    verbose_name = "Job outbox"

    def ready(self) -> None:
        from jobs.worker import connect_worker_signals

        connect_worker_signals()
