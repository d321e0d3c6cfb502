"""Settings of the Twilio messaging channel (defined in omnidesk/settings.py), read at
use so tests may override them."""

from __future__ import annotations

from django.conf import settings


def http_timeout_seconds() -> int:
    """How long a call to Twilio's API (a send, a media download) may take."""
    return int(settings.OMNIDESK_TWILIO_TIMEOUT_SECONDS)


def media_fetch_retries() -> int:
    """How often a media download that failed for a temporary reason is tried again."""
    return int(settings.OMNIDESK_TWILIO_MEDIA_RETRIES)


def media_retry_seconds() -> int:
    """The first retry's delay; each further retry waits twice as long."""
    return int(settings.OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS)
