"""The one factory of twilio REST clients. Every request it makes has a timeout.

Tests catch its requests at `http_client`, the library's own HTTP layer
(`http_client_override`), never by replacing omnidesk code.
"""

from __future__ import annotations

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from conversations.models import Inbox
from twilio_common import conf
from twilio_common.inbox import account_sid_of, auth_token_of

# Set by tests to a twilio.http.HttpClient that records requests and answers like
# Twilio's API; None means the library's real HTTP client.
http_client_override: HttpClient | None = None


def twilio_client(inbox: Inbox) -> Client:
    """A client for the inbox's account. A fresh HTTP client each time: the media
    download puts a response hook on it (twilio_common.media), which must touch no one
    else's requests."""
    # The library waits forever by default; a hung call would pin a worker or a web
    # thread.
    http = http_client_override or TwilioHttpClient(timeout=conf.http_timeout_seconds())
    return Client(account_sid_of(inbox), auth_token_of(inbox), http_client=http)
