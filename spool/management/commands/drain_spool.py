from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from spool.listener import listen_and_drain


class Command(BaseCommand):
    help = ("Record the events the web processes accept into the inbound spool "
            "(OMNIDESK_SPOOL_DRAIN=process). Runs until stopped; run one or more.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("drain_spool needs PostgreSQL (LISTEN/NOTIFY); with SQLite "
                               "each process drains what it accepts.")
        self.stdout.write("draining the inbound spool (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            listen_and_drain()
