"""Voice settings from the environment; per-inbox values in Inbox.config["voice"] win."""

from __future__ import annotations

from django.conf import settings

from omnidesk.env import env_int, env_str


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, "") or env_str(name, default))


def api_key_sid() -> str:
    """An API key (SK…) of the account, for signing Voice SDK access tokens."""
    return _setting("TWILIO_API_KEY_SID", "")


def api_key_secret() -> str:
    return _setting("TWILIO_API_KEY_SECRET", "")


def twiml_app_sid() -> str:
    """The TwiML App (AP…) whose Voice URL answers calls placed from the browser."""
    return _setting("TWILIO_TWIML_APP_SID", "")


def token_ttl_seconds() -> int:
    name = "TWILIO_VOICE_TOKEN_TTL"
    return int(getattr(settings, name, 0) or env_int(name, 3600))


def ring_timeout_seconds() -> int:
    """How long agents are rung before the caller is offered voicemail or a callback."""
    name = "OMNIDESK_VOICE_RING_TIMEOUT"
    return int(getattr(settings, name, 0) or env_int(name, 25))
