"""What the chat app registers with the core (apps.py), and its settings
(defined in omnidesk/settings.py)."""

from __future__ import annotations

from django.conf import settings

CHAT_CHANNEL = "chat"
CHAT_INBOX = "chat"
# A website visitor, named by the id their browser keeps.
VISITOR_IDENTITY = "chat"


def max_chars() -> int:
    return int(settings.OMNIDESK_CHAT_MAX_CHARS)


def messages_per_minute() -> int:
    return int(settings.OMNIDESK_CHAT_MESSAGES_PER_MINUTE)


def attachment_max_bytes() -> int:
    return int(settings.OMNIDESK_CHAT_ATTACHMENT_MAX_BYTES)


def attachment_types() -> frozenset[str]:
    return frozenset(t.strip().lower() for t in settings.OMNIDESK_CHAT_ATTACHMENT_TYPES)
