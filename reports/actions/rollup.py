"""Writing the rollups: a day's rows are replaced as a whole, under a lock on its
RolledDay row, so two workers (or a page refreshing today) never interleave; a past
month's rows likewise under its RolledMonth row. A day of a month already rolled up
rewrites the month in the same transaction, so the two never disagree."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reports.histogram import packed_histogram
from reports.models import DailyRollup, MonthlyRollup, RolledDay, RolledMonth
from reports.monthly import compute_month, month_of
from reports.rollup import compute_day, local_day

logger = logging.getLogger(__name__)

# How far back a first run (or a run after a long pause) fills in missing days.
BACKFILL_DAYS = 400


def do_roll_up_day(day: date) -> int:
    """Recompute `day`'s rows; returns how many rows it has."""
    with transaction.atomic():
        RolledDay.objects.get_or_create(day=day, defaults={"rolled_at": timezone.now()})
        marker = RolledDay.objects.select_for_update().get(day=day)
        rows = compute_day(day)
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create([
            DailyRollup(day=day, channel=channel, team_id=team_id, agent_id=agent_id,
                        first_response_buckets=packed_histogram(values.first_response_seconds),
                        resolution_buckets=packed_histogram(values.resolution_seconds),
                        next_response_buckets=packed_histogram(values.next_response_seconds),
                        **vars(values))
            for (channel, team_id, agent_id), values in rows.items()
        ])
        marker.rolled_at = timezone.now()
        marker.save(update_fields=["rolled_at"])
        if RolledMonth.objects.filter(month=month_of(day)).exists():
            do_roll_up_month(month_of(day))
    return len(rows)


def do_roll_up_month(month: date) -> int:
    """Recompute a month's rows (`month`: its first day) from its daily rows; from now on
    reports read the month from them. Returns how many rows it has."""
    with transaction.atomic():
        RolledMonth.objects.get_or_create(month=month, defaults={"rolled_at": timezone.now()})
        marker = RolledMonth.objects.select_for_update().get(month=month)
        rows = compute_month(month)
        MonthlyRollup.objects.filter(month=month).delete()
        MonthlyRollup.objects.bulk_create([values.row(month, dims)
                                           for dims, values in rows.items()])
        marker.rolled_at = timezone.now()
        marker.save(update_fields=["rolled_at"])
    return len(rows)


def months_to_roll_up(today: date | None = None) -> list[date]:
    """Months over before today's that have rolled days but no monthly rows yet."""
    today = today or local_day(timezone.now())
    days = RolledDay.objects.filter(day__lt=month_of(today)).values_list("day", flat=True)
    rolled = set(RolledMonth.objects.values_list("month", flat=True))
    return sorted({month_of(day) for day in days} - rolled)


def days_to_roll_up(today: date | None = None) -> list[date]:
    """Every day since the last one rolled up (at least yesterday, for late events),
    up to today. With nothing rolled yet, from the first conversation's day."""
    from conversations.models import Conversation

    today = today or local_day(timezone.now())
    last = RolledDay.objects.exclude(day=today).order_by("-day").values_list("day", flat=True)
    latest = last.first()
    if latest is None:
        first = (Conversation.objects.filter(first_inbound_at__isnull=False)
                 .order_by("first_inbound_at").values_list("first_inbound_at", flat=True).first())
        start = max(local_day(first), today - timedelta(days=BACKFILL_DAYS)) if first else today
    else:
        start = min(latest, today - timedelta(days=1))
    return [start + timedelta(days=n) for n in range((today - start).days + 1)]


def refresh_today_if_stale() -> None:
    """A report page's today is at most REPORTS_LIVE_SECONDS old."""
    now = timezone.now()
    today = local_day(now)
    rolled = RolledDay.objects.filter(day=today).values_list("rolled_at", flat=True).first()
    if rolled is None or (now - rolled).total_seconds() > settings.REPORTS_LIVE_SECONDS:
        do_roll_up_day(today)
        logger.debug("reports: today (%s) rolled up for a page", today)
