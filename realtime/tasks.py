from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from realtime.models import RealtimeEvent, RealtimeEventGroup


@shared_task
def prune_events_task() -> int:
    """Drop outbox rows older than the resume window; a client that was away longer
    reloads its lists instead of resuming. Returns the number of events dropped."""
    cutoff = timezone.now() - timedelta(hours=settings.OMNIDESK_REALTIME_RETENTION_HOURS)
    old = RealtimeEvent.objects.filter(created_at__lt=cutoff)
    with transaction.atomic():
        # One statement each, no rows loaded: the audience rows, then their events.
        RealtimeEventGroup.objects.filter(event__in=old.values("id")).delete()
        deleted, _ = old.delete()
    return deleted
