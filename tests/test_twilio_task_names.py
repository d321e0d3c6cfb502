"""Celery task names that are persisted outside the code keep working: beat's schedule
names tasks that exist, and a task queued under a Twilio task's name from before the
apps were reorganised (waiting in the broker during an upgrade) still runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from channels_voice.models import PendingCallEvent
from omnidesk.celery import app
from tests.waiting import wait_for


def test_every_task_beat_names_is_registered(celery_worker):
    registered = set(app.tasks)
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= registered
    assert "channels_voice.tasks.prune_pending_call_events_task" in registered


@pytest.mark.parametrize("old_name", [
    "channels_voice.messaging.tasks.fetch_media_task",
    "channels_voice.voice.tasks.fetch_recording_task",
    "channels_voice.voice.tasks.prune_pending_call_events_task",
    "channels_voice.voice.tasks.offer_call_task",
    "channels_voice.voice.tasks.cancel_offer_legs_task",
])
def test_old_names_are_still_registered(celery_worker, old_name):
    assert old_name in app.tasks


def test_a_task_queued_under_its_old_name_runs(celery_worker, twilio_inbox):
    stale = PendingCallEvent.objects.create(inbox=twilio_inbox, call_sid="CAold", kind="status")
    PendingCallEvent.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=3))

    app.send_task("channels_voice.voice.tasks.prune_pending_call_events_task")

    wait_for(lambda: not PendingCallEvent.objects.filter(pk=stale.pk).exists())
