from __future__ import annotations

from conversations.models.choices import (
    Channel,
    ConversationStatus,
    Direction,
    InboxKind,
    InteractionKind,
    Priority,
    Status,
)
from conversations.models.conversation import Conversation, ConversationRead
from conversations.models.inbox import Inbox
from conversations.models.interaction import Attachment, Interaction

__all__ = [
    "Attachment",
    "Channel",
    "Conversation",
    "ConversationRead",
    "ConversationStatus",
    "Direction",
    "Inbox",
    "InboxKind",
    "Interaction",
    "InteractionKind",
    "Priority",
    "Status",
]
