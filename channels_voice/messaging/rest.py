"""Calls to Twilio's REST API for messaging: the client with a timeout, and media
downloads that keep binary bytes intact.

Everything goes through the twilio library's client and its `http_client`, which is
where tests catch it (channels_voice.client.http_client_override).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels_voice.client import client_for
from channels_voice.messaging import conf
from conversations.models import Inbox


def messaging_client(inbox: Inbox) -> Client:
    client = client_for(inbox)
    # The library waits forever by default; a hung call would pin a worker.
    if isinstance(client.http_client, TwilioHttpClient) and client.http_client.timeout is None:
        client.http_client.timeout = conf.http_timeout_seconds()
    return client


@dataclass(frozen=True)
class Media:
    status: int
    content: bytes
    content_type: str


def fetch_media(inbox: Inbox, url: str) -> Media:
    """GET a MediaUrl with the account's credentials, following Twilio's redirect to
    its media store. Raises requests.RequestException when the connection fails."""
    client = messaging_client(inbox)
    captured = _capture_bytes(client)
    response = client.request("GET", url, allow_redirects=True, timeout=conf.http_timeout_seconds())
    content = captured.get("content")
    if content is None:
        content = response.content if isinstance(response.content, bytes) else str(
            response.content or ""
        ).encode()
    return Media(response.status_code, content, _header(response.headers, "Content-Type"))


def _capture_bytes(client: Client) -> dict[str, bytes]:
    """twilio's own HTTP client keeps only the decoded text of a response, which mangles
    an image; a response hook on its requests session keeps the raw bytes of the last
    response (the one after redirects). The client is fresh per call, so the hook
    touches no one else."""
    captured: dict[str, bytes] = {}
    http = client.http_client
    if isinstance(http, TwilioHttpClient):

        def keep(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            captured["content"] = response.content

        http.request_hooks = {"response": [keep]}
    return captured


def _header(headers: Any, name: str) -> str:
    if not headers:
        return ""
    value = headers.get(name) or headers.get(name.lower()) or ""
    return str(value).split(";")[0].strip()
