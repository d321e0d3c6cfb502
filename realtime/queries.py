"""What a socket missed: the events of its groups after an id, read by the index
(group, event) of `RealtimeEventGroup`, never by scanning the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realtime.models import RealtimeEvent, RealtimeEventGroup

RESUME_LIMIT = 500


@dataclass(frozen=True)
class MissedPage:
    events: list[dict[str, Any]]
    has_more: bool
    # Where the next page starts: the last event id of this page (or `since` if empty).
    next_since: int


def missed_events(*, groups: list[str], since: int, limit: int = RESUME_LIMIT) -> MissedPage:
    """Events addressed to any of `groups` after `since`, oldest first, one page of at
    most `limit`; one query."""
    limit = max(1, min(limit, RESUME_LIMIT))
    event_ids = (
        RealtimeEventGroup.objects.filter(group__in=groups, event_id__gt=since)
        .order_by("event_id")
        .values("event_id")
        .distinct()[: limit + 1]
    )
    rows = list(
        RealtimeEvent.objects.filter(id__in=event_ids)
        .order_by("id")
        .values_list("id", "name", "payload")
    )
    page = [{"id": pk, "event": name, "data": payload} for pk, name, payload in rows[:limit]]
    return MissedPage(
        events=page,
        has_more=len(rows) > limit,
        next_since=page[-1]["id"] if page else since,
    )


def has_missed(*, groups: list[str], since: int) -> bool:
    """Whether any event of `groups` lies after `since` (one index probe per group)."""
    return RealtimeEventGroup.objects.filter(group__in=groups, event_id__gt=since).exists()


def newest_event_id() -> int:
    return RealtimeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
