"""System events on a conversation's timeline (status change, assignment, channel switch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from conversations import hooks
from conversations.channels import INTERNAL
from conversations.models import Conversation, Direction, Interaction, InteractionKind
from conversations.notify import notify_interaction

# Event types, as stored in Interaction.event_type.
STATUS_CHANGED = "status_changed"
ASSIGNED = "assigned"
TEAM_CHANGED = "team_changed"
PRIORITY_CHANGED = "priority_changed"
TAGS_CHANGED = "tags_changed"
CHANNEL_SWITCHED = "channel_switched"
CUSTOMER_MERGED = "customer_merged"
CONVERSATION_MERGED = "conversation_merged"
CONVERSATION_SPLIT = "conversation_split"


def record_event(
    conversation: Conversation,
    event_type: str,
    text: str,
    *,
    by: User | None = None,
    meta: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Interaction:
    """Append a system event; the caller holds the transaction (and the row lock).

    `at` dates the event when it belongs to a moment in the past (a backdated inbound
    such as an imported email, demo history); default now.
    """
    event = Interaction.objects.create(
        conversation=conversation,
        customer_id=conversation.customer_id,
        channel=INTERNAL,
        direction=Direction.INTERNAL,
        kind=InteractionKind.EVENT,
        event_type=event_type,
        author_agent=by if by is not None and by.pk else None,
        text=text,
        meta=meta or {},
        occurred_at=at or timezone.now(),
    )
    notify_interaction(event)
    hooks.run_after_event(conversation, event)
    return event
