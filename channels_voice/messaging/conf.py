"""Settings of the Twilio messaging channel, read at use so tests may override them."""

from __future__ import annotations

from django.conf import settings

from omnidesk.env import env_int


def http_timeout_seconds() -> int:
    """How long a call to Twilio's API (a send, a media download) may take."""
    return int(getattr(settings, "OMNIDESK_TWILIO_TIMEOUT_SECONDS", None)
               or env_int("OMNIDESK_TWILIO_TIMEOUT_SECONDS", 20))


def media_fetch_retries() -> int:
    """How often a media download that failed for a temporary reason is tried again."""
    value = getattr(settings, "OMNIDESK_TWILIO_MEDIA_RETRIES", None)
    return int(value if value is not None else env_int("OMNIDESK_TWILIO_MEDIA_RETRIES", 5))


def media_retry_seconds() -> int:
    """The first retry's delay; each further retry waits twice as long."""
    value = getattr(settings, "OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS", None)
    return int(value if value is not None else env_int("OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS", 30))

