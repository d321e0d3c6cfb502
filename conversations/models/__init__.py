from __future__ import annotations

from conversations.models.choices import (
    ConversationStatus,
    Direction,
    InteractionKind,
    Priority,
    Status,
)
from conversations.models.conversation import Conversation, ConversationRead
from conversations.models.inbox import Inbox
from conversations.models.interaction import Attachment, Interaction

__all__ = [
    "Attachment",
    "Conversation",
    "ConversationRead",
    "ConversationStatus",
    "Direction",
    "Inbox",
    "Interaction",
    "InteractionKind",
    "Priority",
    "Status",
]
