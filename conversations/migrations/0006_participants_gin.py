"""A GIN index on Conversation.participants, for the email adapter's question "which
open conversations is this sender a participant of" (jsonb `@>`), asked when a reply
carries no thread headers. PostgreSQL only; SQLite keeps scanning."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS conv_participants_gin ON conversations_conversation "
            "USING gin (participants jsonb_path_ops)"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS conv_participants_gin")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0005_merge_registry_workspace")]

    operations = [migrations.RunPython(create_index, drop_index)]
