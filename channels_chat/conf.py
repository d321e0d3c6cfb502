"""What the chat app registers with the core (apps.py)."""

from __future__ import annotations

CHAT_CHANNEL = "chat"
CHAT_INBOX = "chat"
# A website visitor, named by the id their browser keeps.
VISITOR_IDENTITY = "chat"
