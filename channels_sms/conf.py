"""Settings of the SMS / MMS / WhatsApp channel (defined in omnidesk/settings.py), read
at use so tests may override them. The Twilio request timeout is twilio_common's."""

from __future__ import annotations

from django.conf import settings

# The channels this app registers with the core (apps.py), both carried by a "twilio"
# inbox (twilio_common.inbox.TWILIO_INBOX).
SMS = "sms"
WHATSAPP = "whatsapp"


def media_fetch_retries() -> int:
    """How often a media download that failed for a temporary reason is tried again."""
    return int(settings.OMNIDESK_TWILIO_MEDIA_RETRIES)


def media_retry_seconds() -> int:
    """The first retry's delay; each further retry waits twice as long."""
    return int(settings.OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS)
