"""Reads of the chat app: what a visitor may see of their own chat."""

from __future__ import annotations

from typing import Any

from channels_chat.conf import CHAT_CHANNEL, VISITOR_IDENTITY
from channels_chat.payloads import surveys_of, visitor_message_payload
from conversations.models import Direction, Interaction, InteractionKind
from customers.models import Identity

HISTORY_LIMIT = 100


def customer_of_visitor(visitor_id: str) -> int | None:
    return (
        Identity.objects.filter(kind=VISITOR_IDENTITY, value=visitor_id)
        .values_list("customer_id", flat=True)
        .first()
    )


def visitor_history(visitor_id: str, *, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The chat messages of the visitor's customer, oldest first (the newest `limit`).

    Only chat messages: never notes or events, never another channel's messages. An
    email a visitor merely claimed never joins them to its owner's customer, so this
    never shows the owner's history."""
    customer_id = customer_of_visitor(visitor_id)
    if customer_id is None:
        return []
    rows = list(
        Interaction.objects.filter(
            customer_id=customer_id,
            channel=CHAT_CHANNEL,
            kind=InteractionKind.MESSAGE,
            direction__in=[Direction.INBOUND, Direction.OUTBOUND],
        )
        .select_related("author_agent")
        .prefetch_related("attachments")
        .order_by("-occurred_at", "-id")[:limit]
    )
    surveys = surveys_of(rows)
    return [visitor_message_payload(i, surveys=surveys) for i in reversed(rows)]
