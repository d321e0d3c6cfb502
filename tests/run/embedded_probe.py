"""Run in a subprocess on the embedded default by test_embedded_worker.py: starts the
embedded Celery worker the way the ASGI lifespan does, then times a task queued with
delay() (by the pipeline's routing hook) and one queued with a countdown.

Prints one JSON line with what it saw.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.actions.ingest import do_record_inbound  # noqa: E402
from conversations.inbound import InboundEvent  # noqa: E402
from conversations.models import Conversation, Inbox  # noqa: E402
from omnidesk.embedded import start_embedded_worker  # noqa: E402
from realtime.models import RealtimeEvent  # noqa: E402
from realtime.tasks import prune_events_task  # noqa: E402

COUNTDOWN = 2.0


def wait(probe, timeout: float = 20.0) -> float | None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def main() -> None:
    call_command("migrate", verbosity=0)
    report: dict[str, object] = {
        "engine": settings.DATABASES["default"]["ENGINE"],
        "broker": settings.CELERY_BROKER_URL,
        "started": start_embedded_worker(),
    }
    inbox = Inbox.objects.create(kind="api", name="Probe", slug="probe")
    result = do_record_inbound(InboundEvent(
        inbox=inbox, channel="api", sender_kind="email", sender_value="probe@example.com",
        text="Is anyone there?", provider_id="probe-1",
    ))
    conversation_id = result.conversation.pk
    report["delay_seconds"] = wait(lambda: Conversation.objects.filter(
        pk=conversation_id, first_response_due_at__isnull=False).exists())
    due = Conversation.objects.get(pk=conversation_id).first_response_due_at
    inbound_at = result.interaction.occurred_at
    report["due_minus_inbound"] = (due - inbound_at).total_seconds() if due else None

    old = RealtimeEvent.objects.order_by("id").first()
    assert old is not None
    RealtimeEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    queued_at = time.monotonic()
    prune_events_task.apply_async(countdown=COUNTDOWN)
    gone = wait(lambda: not RealtimeEvent.objects.filter(pk=old.pk).exists())
    report["countdown_seconds"] = None if gone is None else time.monotonic() - queued_at
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
