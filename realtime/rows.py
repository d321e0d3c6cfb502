"""Writing a change's realtime rows: its events and their audience rows.

On PostgreSQL one hand-written statement writes both (a data-modifying CTE): every
inbound message, reply and status change publishes, so this is on the hottest path and
one round trip less per change matters. Elsewhere (SQLite in the embedded default) the
ORM writes them in two statements. tests/realtime/test_rows.py checks both paths store
identical rows.
"""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from omnidesk.fastsql import prepared_cursor
from realtime.models import RealtimeEvent, RealtimeEventGroup

_EVENT = RealtimeEvent._meta
_GROUP = RealtimeEventGroup._meta
_PAYLOAD = _EVENT.get_field("payload")

# Tables and columns are the models', never input; the values are query parameters.
# The input is one JSON array (psycopg quotes one string in C; arrays of strings it
# escapes element by element in Python, which cost more than the rest of the statement).
# Ids of one statement's rows come from the sequence in the order the rows are produced,
# so numbering them by id pairs each event with its place in the input.
_INSERT_EVENTS_AND_GROUPS = f"""
WITH input AS (
    SELECT place, item ->> 'name' AS name, item -> 'payload' AS payload, item -> 'groups' AS groups
    FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS input(item, place)
), inserted AS (
    INSERT INTO {_EVENT.db_table} (name, payload, created_at)
    SELECT name, payload, %s FROM input ORDER BY place
    RETURNING id
), numbered AS (
    SELECT id, row_number() OVER (ORDER BY id) AS place FROM inserted
), audience AS (
    INSERT INTO {_GROUP.db_table} ("group", event_id)
    SELECT grp, numbered.id
    FROM input JOIN numbered USING (place), jsonb_array_elements_text(input.groups) AS grp
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
    document = json.dumps(
        [{"name": name, "payload": payload, "groups": groups} for name, payload, groups in events],
        cls=_PAYLOAD.encoder,  # what the field's own JSON adaptation uses
    )
    with prepared_cursor() as cursor:
        cursor.execute(_INSERT_EVENTS_AND_GROUPS, [document, created_at])
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
