"""A call recording's audio, fetched from Twilio (twilio_common.media)."""

from __future__ import annotations

from conversations.models import Inbox
from twilio_common import conf
from twilio_common.inbox import account_sid_of
from twilio_common.media import download_media

API_BASE = "https://api.twilio.com/2010-04-01"


def recording_media_url(inbox: Inbox, recording_sid: str) -> str:
    # Built from the sid rather than taken from the callback's RecordingUrl, so a
    # request can never be pointed at another host.
    return f"{API_BASE}/Accounts/{account_sid_of(inbox)}/Recordings/{recording_sid}.mp3"


def fetch_recording(inbox: Inbox, recording_sid: str) -> bytes:
    """The MP3's bytes. TransportError as download_media raises it; a 404 is temporary:
    a recording just reported complete can take a moment to be served."""
    media = download_media(
        inbox, recording_media_url(inbox, recording_sid),
        max_bytes=conf.attachment_max_bytes(), missing_is_temporary=True,
    )
    return media.content
