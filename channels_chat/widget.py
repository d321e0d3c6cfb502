"""A chat inbox is a widget: its public key, its look, the sites that may embed it and the
secret that signs the host site's signed-in users.

The config of an inbox of kind "chat" (all optional):
- `widget_key`: the public key in the snippet (made when absent).
- `allowed_origins`: sites that may embed the widget, e.g. ["https://shop.example"];
  empty: any.
- `color`, `greeting`, `position` ("right" or "left"), `launcher_text`, `language`,
  `offline_message`, `reply_time` (what the widget says when nobody is online).
- `prechat`: fields of the pre-chat form, each {"name": "email", "required": false}.
The HMAC secret of identified visitors is `secrets["identity_secret"]`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Q
from django.utils.html import escape

from channels_chat.conf import CHAT_INBOX
from conversations.models import Inbox

KEY = re.compile(r"[A-Za-z0-9_-]{4,64}")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULTS: dict[str, Any] = {
    "color": "#2563eb",
    "greeting": "Hi! How can we help?",
    "position": "right",
    "launcher_text": "Chat with us",
    "language": "en",
    "offline_message": "Nobody is online right now. Leave a message and your email "
                       "address: we answer by email.",
    "reply_time": "within a few hours",
    "prechat": [],
}
PRECHAT_FIELDS = ("name", "email", "phone")
TEXTS = ("greeting", "launcher_text", "offline_message", "reply_time")


def new_widget_key() -> str:
    return secrets.token_urlsafe(12)


def validate_chat_config(config: dict[str, Any]) -> dict[str, Any]:
    """The cleaned config; ValueError says what is wrong."""
    key = config.get("widget_key") or new_widget_key()
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError("widget_key must be 4-64 letters, digits, '-' or '_'")
    config["widget_key"] = key
    origins = config.get("allowed_origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise ValueError("allowed_origins must be a list of origins like https://shop.example")
    config["allowed_origins"] = [_origin(o) for o in origins]
    color = config.get("color", DEFAULTS["color"])
    if not isinstance(color, str) or not COLOR.fullmatch(color):
        raise ValueError("color must look like #2563eb")
    if config.get("position", "right") not in ("right", "left"):
        raise ValueError("position must be right or left")
    for name in TEXTS:
        if name in config and (not isinstance(config[name], str) or len(config[name]) > 500):
            raise ValueError(f"{name} must be text of at most 500 characters")
    prechat = config.get("prechat", [])
    if not isinstance(prechat, list) or not all(
        isinstance(f, dict) and f.get("name") in PRECHAT_FIELDS for f in prechat
    ):
        raise ValueError(f"prechat must be a list of fields named {', '.join(PRECHAT_FIELDS)}")
    return config


def _origin(value: str) -> str:
    parsed = urlparse(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"not an origin: {value!r} (use https://shop.example)")
    return f"{parsed.scheme}://{parsed.netloc}".lower()


def widget_key(inbox: Inbox) -> str:
    """The inbox's public key (an inbox created without one uses its slug)."""
    return str((inbox.config or {}).get("widget_key") or inbox.slug)


def widget_for_key(key: str) -> Inbox | None:
    """The active chat inbox with this key."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return None
    return (
        Inbox.objects.filter(kind=CHAT_INBOX, is_active=True)
        .filter(Q(config__widget_key=key) | (Q(slug=key) & ~Q(config__has_key="widget_key")))
        .select_related("team")
        .first()
    )


def origin_allowed(inbox: Inbox, origin: str | None) -> bool:
    """Whether a page at `origin` may use the widget: any when the list is empty; our own
    site always."""
    allowed = (inbox.config or {}).get("allowed_origins") or []
    if not allowed:
        return True
    if not origin:
        return False
    origin = origin.lower().rstrip("/")
    return origin in allowed or origin == settings.PUBLIC_URL.lower()


def widget_settings(inbox: Inbox) -> dict[str, Any]:
    """What the widget shows, as the browser reads it."""
    config = inbox.config or {}
    return {
        **{name: config.get(name, default) for name, default in DEFAULTS.items()},
        "name": inbox.name,
    }


def identity_hash(inbox: Inbox, identifier: str) -> str | None:
    """HMAC-SHA256 (hex) of a host site's user id or email with the widget's secret; None
    when the widget has no secret (identification is off)."""
    secret = (inbox.secrets or {}).get("identity_secret")
    if not secret:
        return None
    return hmac.new(str(secret).encode(), identifier.encode(), hashlib.sha256).hexdigest()


def identity_verified(inbox: Inbox, identifier: str, given: str) -> bool:
    expected = identity_hash(inbox, identifier)
    return expected is not None and isinstance(given, str) and hmac.compare_digest(
        expected, given.lower()
    )


def embed_code(inbox: Inbox) -> str:
    """The snippet an admin pastes into their site."""
    src = escape(f"{settings.PUBLIC_URL}/chat/widget.js")
    return f'<script src="{src}" data-widget="{escape(widget_key(inbox))}" async></script>'
