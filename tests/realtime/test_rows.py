"""realtime.rows: the one-statement write of a change's events and audience rows stores
what the ORM's two statements store, in order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from realtime.models import RealtimeEvent, RealtimeEventGroup
from realtime.rows import _insert_by_orm, insert_rows

pytestmark = pytest.mark.django_db

EVENTS = [
    ("interaction.created", {"id": 7, "text": "Ünïcode ✓", "nested": {"list": [1, None]}},
     ["staff", "team-3"]),
    ("conversation.updated", {"id": 3, "status": "open"}, ["staff", "team-3", "agent-9"]),
    ("agent.presence", {"user": 9}, ["agent-9"]),
]


def _stored(rows: list[RealtimeEvent]) -> list[tuple[dict[str, object], list[str]]]:
    out = []
    for row in rows:
        fields = model_to_dict(RealtimeEvent.objects.get(pk=row.pk), exclude=["id", "created_at"])
        groups = sorted(RealtimeEventGroup.objects.filter(event_id=row.pk)
                        .values_list("group", flat=True))
        out.append((fields, groups))
    return out


def test_one_statement_writes_what_the_orm_writes():
    with CaptureQueriesContext(connection) as captured:
        by_sql = insert_rows(EVENTS)
    assert len(captured) == 1
    by_orm = _insert_by_orm([RealtimeEvent(name=n, payload=p) for n, p, _g in EVENTS],
                            [g for _n, _p, g in EVENTS])
    assert _stored(by_sql) == _stored(by_orm)
    assert [row.name for row in by_sql] == [name for name, _p, _g in EVENTS]
    assert by_sql[0].pk < by_sql[1].pk < by_sql[2].pk
    assert all(not row._state.adding and row.created_at is not None for row in by_sql)


def test_each_event_gets_exactly_its_own_groups():
    rows = insert_rows(EVENTS)
    stored = sorted(RealtimeEventGroup.objects.values_list("event_id", "group"))
    expected = [(row.pk, group) for row, (_n, _p, groups) in zip(rows, EVENTS, strict=True)
                for group in groups]
    assert stored == sorted(expected)
