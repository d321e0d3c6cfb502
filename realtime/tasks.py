from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from realtime.models import RealtimeEvent


@shared_task
def prune_events_task() -> int:
    """Drop outbox rows older than the resume window; a client that was away longer
    reloads its lists instead of resuming."""
    cutoff = timezone.now() - timedelta(hours=settings.OMNIDESK_REALTIME_RETENTION_HOURS)
    deleted, _ = RealtimeEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
