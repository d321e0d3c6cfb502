"""Fetching a call recording's audio from Twilio through the twilio client's HTTP layer.

The twilio library hands response bodies back as text. For audio that would mangle the
bytes, so the response is decoded as latin-1 (one byte, one character) and encoded
back here: the round trip is exact.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient

from channels_voice.client import client_for
from channels_voice.twilio_auth import auth_token_of
from conversations.models import Inbox

API_BASE = "https://api.twilio.com/2010-04-01"


class RecordingFetchError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def account_sid_of(inbox: Inbox) -> str:
    return str(inbox.config.get("account_sid") or settings.TWILIO_ACCOUNT_SID or "")


def recording_media_url(inbox: Inbox, recording_sid: str) -> str:
    # Built from the sid rather than taken from the callback's RecordingUrl, so a
    # request can never be pointed at another host.
    return f"{API_BASE}/Accounts/{account_sid_of(inbox)}/Recordings/{recording_sid}.mp3"


def _bytes_as_latin1(response: Any, *args: Any, **kwargs: Any) -> Any:
    response.encoding = "latin-1"
    return response


def fetch_recording(inbox: Inbox, recording_sid: str) -> bytes:
    http = client_for(inbox).http_client
    if isinstance(http, TwilioHttpClient):
        http.request_hooks = {"response": [_bytes_as_latin1]}
    try:
        response = http.request(
            "GET",
            recording_media_url(inbox, recording_sid),
            auth=(account_sid_of(inbox), auth_token_of(inbox)),
            timeout=30,
            allow_redirects=True,
        )
    except Exception as exc:  # the network, DNS, a timeout: worth another try
        raise RecordingFetchError(f"fetching the recording failed: {exc}", permanent=False) from exc
    if response.status_code >= 400:
        # A recording just reported complete can take a moment to be served (404);
        # 401/403 mean our credentials are wrong and retrying will not help.
        permanent = response.status_code in (401, 403)
        raise RecordingFetchError(
            f"Twilio answered {response.status_code} for recording {recording_sid}",
            permanent=permanent,
        )
    body = response.content
    data = body if isinstance(body, bytes) else str(body).encode("latin-1")
    if len(data) > settings.OMNIDESK_ATTACHMENT_MAX_BYTES:
        raise RecordingFetchError(
            f"the recording is {len(data)} bytes, over the attachment limit", permanent=True
        )
    return data
