"""Writing a change's realtime rows: its events and their audience rows.

On PostgreSQL one hand-written statement writes both (a data-modifying CTE): every
inbound message, reply and status change publishes, so this is on the hottest path and
one round trip less per change matters. Elsewhere (SQLite in the embedded default) the
ORM writes them in two statements. tests/realtime/test_rows.py checks both paths store
identical rows.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from realtime.models import RealtimeEvent, RealtimeEventGroup

_EVENT = RealtimeEvent._meta
_GROUP = RealtimeEventGroup._meta
_PAYLOAD = _EVENT.get_field("payload")

# Tables and columns are the models', never input; the values are query parameters.
# Ids of one statement's rows come from the sequence in the order the rows are produced,
# so numbering them by id pairs each event with its place in the input.
_INSERT_EVENTS_AND_GROUPS = f"""
WITH inserted AS (
    INSERT INTO {_EVENT.db_table} (name, payload, created_at)
    SELECT name, payload, %s FROM UNNEST(%s::varchar[], %s::jsonb[]) AS input(name, payload)
    RETURNING id
), numbered AS (
    SELECT id, row_number() OVER (ORDER BY id) AS place FROM inserted
), audience AS (
    INSERT INTO {_GROUP.db_table} ("group", event_id)
    SELECT input.grp, numbered.id
    FROM UNNEST(%s::varchar[], %s::bigint[]) AS input(grp, place)
    JOIN numbered USING (place)
)
SELECT id FROM numbered ORDER BY place
""".strip()  # noqa: S608


def insert_rows(events: list[tuple[str, dict[str, object], list[str]]]) -> list[RealtimeEvent]:
    """Write each (name, payload, groups) as an event row and one row per group; the
    events come back saved, in the order given."""
    created_at = timezone.now()
    rows = [RealtimeEvent(name=name, payload=payload, created_at=created_at)
            for name, payload, _groups in events]
    if connection.vendor != "postgresql":
        return _insert_by_orm(rows, [groups for _n, _p, groups in events])
    groups = [(group, place) for place, (_n, _p, names) in enumerate(events, 1)
              for group in names]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENTS_AND_GROUPS, [
            created_at,
            [row.name for row in rows],
            [_PAYLOAD.get_db_prep_save(row.payload, connection) for row in rows],
            [group for group, _place in groups],
            [place for _group, place in groups],
        ])
        ids = [id_ for (id_,) in cursor.fetchall()]
    for row, id_ in zip(rows, ids, strict=True):
        row.pk = id_
        row._state.adding = False
        row._state.db = connection.alias
    return rows


def _insert_by_orm(rows: list[RealtimeEvent], groups: list[list[str]]) -> list[RealtimeEvent]:
    saved = RealtimeEvent.objects.bulk_create(rows)
    RealtimeEventGroup.objects.bulk_create(
        [RealtimeEventGroup(group=g, event=row) for names, row in zip(groups, saved, strict=True)
         for g in names]
    )
    return saved
