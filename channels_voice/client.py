"""The twilio REST client for an inbox. Tests catch its calls at `http_client`, the
library's own HTTP layer, never by replacing omnidesk code."""

from __future__ import annotations

from django.conf import settings
from twilio.http import HttpClient
from twilio.rest import Client

from channels_voice.twilio_auth import auth_token_of
from conversations.models import Inbox

# Set by tests to a twilio.http.HttpClient subclass that records requests and answers
# like Twilio's API would; None means the library's real HTTP client.
http_client_override: HttpClient | None = None


def client_for(inbox: Inbox) -> Client:
    account_sid = inbox.config.get("account_sid") or settings.TWILIO_ACCOUNT_SID
    return Client(account_sid, auth_token_of(inbox), http_client=http_client_override)
