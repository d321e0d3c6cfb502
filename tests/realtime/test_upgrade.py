"""Events already in the outbox keep their audience across the upgrade to audience rows,
so a client resuming across a deploy still gets what it missed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("realtime", "0001_initial")]
AFTER = [("realtime", "0002_event_groups")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_outbox_keeps_each_events_audience_across_the_upgrade():
    try:
        old = _migrate(BEFORE).get_model("realtime", "RealtimeEvent")
        seen_by_team = old.objects.create(name="conversation.updated", payload={"id": 1},
                                          team_ids=[3], user_ids=[7, 8])
        seen_by_staff = old.objects.create(name="call.ringing", payload={}, team_ids=[],
                                           user_ids=[])
        groups = _migrate(AFTER).get_model("realtime", "RealtimeEventGroup")
        rows = sorted(groups.objects.values_list("event_id", "group"))
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert rows == [
        (seen_by_team.pk, "agent.7"), (seen_by_team.pk, "agent.8"),
        (seen_by_team.pk, "staff"), (seen_by_team.pk, "team.3"),
        (seen_by_staff.pk, "staff"),
    ]
