"""The list's "used channel" filter reads Conversation.channels, which now also names
the channels agents replied on (it named only the customer's): existing conversations
get theirs added, in order of first use. On PostgreSQL, GIN indexes serve that filter's
and the tag filter's jsonb containment (`@>`); SQLite has no GIN, and keeps scanning."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Min

GIN_INDEXES = {
    "conv_channels_gin": "channels",
    "conv_tags_gin": "tags",
}


def add_reply_channels(apps: Any, schema_editor: Any) -> None:
    Conversation = apps.get_model("conversations", "Conversation")
    Interaction = apps.get_model("conversations", "Interaction")
    used = (
        Interaction.objects.filter(direction="out")
        .exclude(channel="internal")
        .values("conversation_id", "channel")
        .annotate(first=Min("occurred_at"))
        .order_by("conversation_id", "first")
    )
    by_conversation: dict[int, list[str]] = {}
    for row in used.iterator(chunk_size=2000):
        by_conversation.setdefault(row["conversation_id"], []).append(row["channel"])
    ids = list(by_conversation)
    for start in range(0, len(ids), 500):
        for conversation in Conversation.objects.filter(pk__in=ids[start:start + 500]).only(
            "pk", "channels"
        ):
            missing = [c for c in by_conversation[conversation.pk] if c not in conversation.channels]
            if missing:
                # update(), not save(): the conversation did not change for its readers.
                Conversation.objects.filter(pk=conversation.pk).update(
                    channels=[*conversation.channels, *missing]
                )


def create_gin_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in GIN_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON conversations_conversation "
            f"USING gin ({column} jsonb_path_ops)"
        )


def drop_gin_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in GIN_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0002_read_layer_indexes")]

    operations = [
        migrations.RunPython(add_reply_channels, migrations.RunPython.noop),
        migrations.RunPython(create_gin_indexes, drop_gin_indexes),
    ]
