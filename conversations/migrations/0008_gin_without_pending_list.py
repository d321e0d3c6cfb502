"""The conversation's GIN indexes (participants, channels, tags) without a pending list.

With GIN's default `fastupdate`, new entries wait in an unsorted pending list (up to
gin_pending_list_limit, 4 MB) until a vacuum merges them, and every search scans that
list whole. A conversation row is rewritten on each inbound message, so the list filled
with each burst: the email adapter's "is this sender a participant of an open
conversation" look-up took 12-25 ms instead of 0.2 on the bench database (55,111 pending
entries), 6 ms per ingested email on average. Without fastupdate each row's few keys go
into the index at once. (The interactions' full-text index keeps it: a message has
many words, and writes matter more there than searches.)"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = ("conv_participants_gin", "conv_channels_gin", "conv_tags_gin")


def fastupdate_off(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        # What is already pending is merged now, not at the next vacuum.
        schema_editor.execute(
            f"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{name}'"
        )


def fastupdate_on(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0007_ingest_write_cost")]

    operations = [migrations.RunPython(fastupdate_off, fastupdate_on)]
