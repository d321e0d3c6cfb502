"""Voice settings (defined in omnidesk/settings.py); per-inbox values in
Inbox.config["voice"] win."""

from __future__ import annotations

from django.conf import settings

# The channel this app registers with the core (apps.py), carried by a "twilio" inbox
# (twilio_common.inbox.TWILIO_INBOX).
VOICE = "voice"


def api_key_sid() -> str:
    """An API key (SK…) of the account, for signing Voice SDK access tokens."""
    return str(settings.TWILIO_API_KEY_SID)


def api_key_secret() -> str:
    return str(settings.TWILIO_API_KEY_SECRET)


def twiml_app_sid() -> str:
    """The TwiML App (AP…) whose Voice URL answers calls placed from the browser."""
    return str(settings.TWILIO_TWIML_APP_SID)


def token_ttl_seconds() -> int:
    return int(settings.TWILIO_VOICE_TOKEN_TTL)


def ring_timeout_seconds() -> int:
    """How long agents are rung before the caller is offered voicemail or a callback."""
    return int(settings.OMNIDESK_VOICE_RING_TIMEOUT)


def hold_music_url() -> str:
    """What a caller waiting in the queue hears, unless the inbox names its own."""
    return str(settings.OMNIDESK_VOICE_HOLD_MUSIC_URL)


# A recording download that failed for a temporary reason is tried this many more
# times (a recording just reported complete can take a moment to be served), first
# after this many seconds, then twice as long each time, at most 15 minutes.
RECORDING_FETCH_RETRIES = 6
RECORDING_RETRY_SECONDS = 15
