"""The visitor token: a signed visitor id the browser keeps (localStorage), so the chat
resumes after reloads and in other tabs. It names a visitor of one widget only."""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "channels_chat.visitor"


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)  # 22 characters: a realtime group name


def visitor_token(inbox_id: int, visitor_id: str) -> str:
    return signing.dumps({"i": inbox_id, "v": visitor_id}, salt=SALT, compress=False)


def read_visitor_token(token: object, inbox_id: int) -> str | None:
    """The visitor id a token of this widget names; None for a forged, foreign or
    malformed one."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != inbox_id:
        return None
    visitor_id = data.get("v")
    return visitor_id if isinstance(visitor_id, str) else None
