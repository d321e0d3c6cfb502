"""The one-line preview of a conversation's last message, kept on the conversation so
the list shows it without reading any interaction (conversations.queries pins the list
at one query a page). The pipeline and the reply and note actions write it in their own
transaction, beside the change that made it the last message."""

from __future__ import annotations

import re
from datetime import datetime

from conversations.models import Conversation, Direction, InteractionKind
from conversations.sanitize import html_to_text

PREVIEW_LENGTH = 200
_SPACE = re.compile(r"\s+")


def preview_text(
    *,
    kind: str,
    direction: str,
    text: str = "",
    html: str = "",
    subject: str = "",
    author: str = "",
    attachments: int = 0,
) -> str:
    """What the list shows of one message, call or note, on one line."""
    body = text.strip() or (html_to_text(html) if html else "") or subject.strip()
    if kind == InteractionKind.CALL:
        word = "Outgoing call" if direction == Direction.OUTBOUND else "Call"
        body = f"{word}: {body}" if body else word
    elif kind == InteractionKind.NOTE:
        body = f"Note: {body}"
    elif not body and attachments:
        body = "Attachment" if attachments == 1 else f"{attachments} attachments"
    if author and direction == Direction.OUTBOUND and kind == InteractionKind.MESSAGE:
        body = f"{author}: {body}"
    body = _SPACE.sub(" ", body).strip()
    if len(body) > PREVIEW_LENGTH:
        body = body[: PREVIEW_LENGTH - 1].rstrip() + "…"
    return body


def apply_preview(conversation: Conversation, preview: str, at: datetime) -> None:
    """Make `preview` the conversation's last message unless a later one is already
    shown (a backdated import arriving late). The caller saves the conversation."""
    if conversation.last_message_at is not None and at < conversation.last_message_at:
        return
    conversation.last_message_preview = preview
    conversation.last_message_at = at


def author_name(user: object) -> str:
    if user is None:
        return ""
    first = str(getattr(user, "first_name", "") or "")
    return first or str(getattr(user, "get_username", lambda: "")())
