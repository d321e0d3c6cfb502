"""Migration operations for the reports tables, which are PostgreSQL's (arrays, numeric
sums, percentile_cont). The embedded default (SQLite) still migrates through them, so
its later table rebuilds find every column; it never writes a report row."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class AddArrayField(migrations.AddField):
    """AddField; on SQLite the column is added plain, since SQLite's table rebuild
    cannot write a list default."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any,
                          to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{field.db_type(schema_editor.connection)}"
        )


class PostgresSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL only (a data change to report rows, which SQLite never has)."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any,
                          to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any,
                           to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
