"""What a socket missed: the events of its groups after an id, read by the index
(group, event) of `RealtimeEventGroup`, never by scanning the outbox."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max

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


def newest_in_groups(groups: Collection[str]) -> dict[str, int]:
    """The newest event id of each group (0 for one without events): one query, a
    backward probe of the (group, event) key per group. Answers many sockets' "behind"
    at once: a socket is behind `last` if one of its groups is newer."""
    if not groups:
        return {}
    if connection.vendor != "postgresql":  # the embedded SQLite
        return {group: RealtimeEventGroup.objects.filter(group=group).aggregate(
            newest=Max("event_id"))["newest"] or 0 for group in set(groups)}
    table = RealtimeEventGroup._meta.db_table
    sql = f"""
        SELECT g.name, (SELECT max(e.event_id) FROM {table} e WHERE e."group" = g.name)
        FROM unnest(%s::varchar[]) AS g(name)
    """  # noqa: S608 (the model's table name, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(set(groups))])
        return {name: newest or 0 for name, newest in cursor.fetchall()}


def newest_event_id() -> int:
    return RealtimeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
