"""Settings of the API channel (defined in omnidesk/settings.py)."""

from __future__ import annotations

from django.conf import settings

# What this app registers with the core (apps.py): the "api" channel and inbox kind.
API_CHANNEL = "api"
API_INBOX = "api"


def inbound_max_chars() -> int:
    """The longest `text` (and `html`) a pushed message may carry, in characters."""
    return int(settings.OMNIDESK_API_INBOUND_MAX_CHARS)


def outbound_timeout() -> float:
    """Seconds to wait for an outbound_url to answer before retrying later."""
    return float(settings.OMNIDESK_API_OUTBOUND_TIMEOUT)
