"""Every realtime event name, in one place."""

from __future__ import annotations

CONVERSATION_CREATED = "conversation.created"
CONVERSATION_UPDATED = "conversation.updated"
INTERACTION_CREATED = "interaction.created"
INTERACTION_UPDATED = "interaction.updated"
CUSTOMER_UPDATED = "customer.updated"
CALL_RINGING = "call.ringing"

ALL = frozenset(
    {
        CONVERSATION_CREATED,
        CONVERSATION_UPDATED,
        INTERACTION_CREATED,
        INTERACTION_UPDATED,
        CUSTOMER_UPDATED,
        CALL_RINGING,
    }
)
