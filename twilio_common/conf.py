"""Settings every Twilio call shares (defined in omnidesk/settings.py), read at use so
tests may override them."""

from __future__ import annotations

from django.conf import settings


def http_timeout_seconds() -> int:
    """How long one request to Twilio's API (a send, a call, a media download) may take."""
    return int(settings.OMNIDESK_TWILIO_TIMEOUT_SECONDS)


def attachment_max_bytes() -> int:
    """The largest media (MMS, WhatsApp, call recording) kept; larger ones are not read."""
    return int(settings.OMNIDESK_ATTACHMENT_MAX_BYTES)
