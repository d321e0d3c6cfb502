"""An agent's read marker on a conversation (the list's unread mark)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from conversations.models import ConversationRead


def do_mark_read(user: Any, conversation_id: int, at: datetime | None = None) -> None:
    """Read up to `at` (default now): one upsert, decided by the (user, conversation)
    constraint, so two tabs marking at once agree. Nobody else is told: the mark is
    this agent's own."""
    ConversationRead.objects.bulk_create(
        [ConversationRead(user_id=user.pk, conversation_id=conversation_id,
                          read_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "conversation"],
        update_fields=["read_at"],
    )
