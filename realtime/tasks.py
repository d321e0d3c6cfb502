from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from realtime.models import RealtimeEvent, RealtimeEventGroup


@shared_task
def prune_events_task() -> int:
    """Drop outbox rows older than the resume window; a client that was away longer
    reloads its lists instead of resuming. Returns the number of events dropped."""
    cutoff = timezone.now() - timedelta(hours=settings.OMNIDESK_REALTIME_RETENTION_HOURS)
    with transaction.atomic():
        # The newest old event; the ids grow with created_at (up to the milliseconds
        # between two writers' clocks and their commits), so what is pruned is a range of
        # ids, read by the BRIN indexes (migration 0003).
        last = RealtimeEvent.objects.filter(created_at__lt=cutoff).aggregate(last=Max("id"))
        if last["last"] is None:
            return 0
        # One statement each, no rows loaded: the audience rows, then their events.
        RealtimeEventGroup.objects.filter(event_id__lte=last["last"]).delete()
        deleted, _ = RealtimeEvent.objects.filter(id__lte=last["last"]).delete()
    return deleted
