"""The outbox's own indexes, read only by the hourly prune, become BRIN indexes on
PostgreSQL: the events' `created_at` and their audience rows' `event_id` grow with the
rows, so a block range summary answers the prune's range scans, and a row written by
every inbound message, reply and status change no longer inserts into two B-trees
(RealtimeEvent.created_at, RealtimeEventGroup.event_id). SQLite keeps B-trees."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("realtime_event_created_brin", "realtime_realtimeevent", "created_at"),
    ("realtime_group_event_brin", "realtime_realtimeeventgroup", "event_id"),
)


def create_indexes(apps: Any, schema_editor: Any) -> None:
    brin = schema_editor.connection.vendor == "postgresql"
    for name, table, column in INDEXES:
        using = " USING brin" if brin else ""
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table}{using} ({column})")


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("realtime", "0002_event_groups")]

    operations = [
        migrations.AlterField(
            model_name="realtimeevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="realtimeeventgroup",
            name="event",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="groups",
                to="realtime.realtimeevent",
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
