"""Settings of the API channel, each overridable from the environment."""

from __future__ import annotations

from django.conf import settings

from omnidesk.env import env_int


def inbound_max_chars() -> int:
    """The longest `text` (and `html`) a pushed message may carry, in characters."""
    return int(getattr(settings, "OMNIDESK_API_INBOUND_MAX_CHARS",
                       env_int("OMNIDESK_API_INBOUND_MAX_CHARS", 100_000)))


def outbound_timeout() -> float:
    """Seconds to wait for an outbound_url to answer before retrying later."""
    return float(getattr(settings, "OMNIDESK_API_OUTBOUND_TIMEOUT",
                         env_int("OMNIDESK_API_OUTBOUND_TIMEOUT", 10)))
