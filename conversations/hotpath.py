"""Hand-written SQL for the inbound pipeline's hottest statements, and nothing else.

The ORM has no `INSERT … ON CONFLICT DO NOTHING RETURNING` for one row: without it a
provider's retry is told apart by a savepoint around the INSERT (three round trips).
Values are prepared by the model's own fields (defaults, auto_now, JSON adaptation), so
the row written is the one `Model.save()` would write; tests/test_pipeline_hotpath.py
checks both paths store identical rows.
"""

from __future__ import annotations

from django.db import connection

from conversations.models import Interaction

_INTERACTION = Interaction._meta
_FIELDS = [f for f in _INTERACTION.concrete_fields if not f.primary_key]
# Table and columns are the model's, never input; the values are query parameters.
_COLUMNS = ", ".join(str(f.column) for f in _FIELDS)
_INSERT_INTERACTION = (
    f"INSERT INTO {_INTERACTION.db_table} ({_COLUMNS}) "  # noqa: S608
    f'VALUES ({", ".join(["%s"] * len(_FIELDS))}) '
    # The arbiter is interaction_unique_provider_id (partial: provider ids given).
    "ON CONFLICT (inbox_id, provider_id) WHERE provider_id IS NOT NULL DO NOTHING "
    f"RETURNING {_INTERACTION.pk.column}"
)


def insert_interaction_unless_recorded(interaction: Interaction) -> bool:
    """INSERT the unsaved `interaction` in one round trip. False, and nothing written,
    when its (inbox, provider_id) is already recorded: a provider's retry."""
    assert interaction._state.adding and interaction.pk is None
    values = [f.get_db_prep_save(f.pre_save(interaction, True), connection) for f in _FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_INTERACTION, values)
        row = cursor.fetchone()
    if row is None:
        return False
    interaction.pk = row[0]
    interaction._state.adding = False
    interaction._state.db = connection.alias
    return True
