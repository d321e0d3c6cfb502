"""`manage.py load_demo`: the demo team, inboxes and 50 customers' histories, once."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from conversations.models import Conversation
from demo.loader import DemoLoader, demo_present, summary
from reports.tasks import roll_up_task


class Command(BaseCommand):
    help = "Load the demo data (users, teams, inboxes, 50 customers) unless already loaded."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_present():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        if User.objects.exists() or Conversation.objects.exists():
            self.stdout.write(
                "This database already has users or conversations; demo data not loaded."
            )
            return
        # The after-commit work (routing, SLA clocks) runs inline: no worker is
        # guaranteed to be running while this command does, and the embedded broker
        # lives only as long as this process.
        from omnidesk.celery import app

        was_eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        started = time.monotonic()
        try:
            DemoLoader(now=timezone.now()).load(settings.OMNIDESK_DEMO_PASSWORD)
        finally:
            app.conf.task_always_eager = was_eager
        # The demo's weeks of history are in Reports at once, not after the beat's first
        # rollup (on SQLite, where reports are off, this does nothing).
        roll_up_task()
        counts = ", ".join(f"{value} {name}" for name, value in summary().items())
        self.stdout.write(f"Demo data loaded in {time.monotonic() - started:.1f} s: {counts}.")
