"""Downloading media from Twilio (MMS and WhatsApp media, call recordings): the one way,
with the account's credentials, a size limit, and failures as TransportError.

The twilio library's own HTTP client reads a whole response and hands it back as
decoded text, which would both hold any size in memory and mangle binary bytes. A
response hook on its requests session reads the body instead, in chunks, up to the
limit. Tests replace the HTTP client (twilio_common.client.http_client_override); a
replacement's bytes are taken as they come.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from twilio.http.http_client import TwilioHttpClient

from conversations.models import Inbox
from conversations.transports import TransportError
from twilio_common.client import twilio_client
from twilio_common.errors import twilio_errors

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str


class MediaTooLarge(TransportError):
    """Permanent: the media is larger than we keep, so its bytes were not read."""

    def __init__(self, size: int, limit: int, *, exact: bool = True) -> None:
        self.size = size
        self.limit = limit
        what = human_size(size) if exact else "it"
        super().__init__(f"{what} is over the limit of {human_size(limit)}", permanent=True)


def download_media(
    inbox: Inbox, url: str, *, max_bytes: int, missing_is_temporary: bool = False
) -> Media:
    """GET one of the inbox's media URLs, following Twilio's redirect to its media store
    (which gets no credentials: requests drops them for another host).

    Raises TransportError: temporary for 429, 5xx and a failed connection (and for 404
    with `missing_is_temporary`, for media Twilio announced before it serves them),
    permanent for any other refusal; MediaTooLarge past `max_bytes`."""
    client = twilio_client(inbox)
    body = _CappedBody(max_bytes)
    if isinstance(client.http_client, TwilioHttpClient):
        client.http_client.request_hooks = {"response": [body.read]}
    with twilio_errors():
        response = client.request("GET", url, allow_redirects=True)
    status = int(response.status_code)
    if status == 429 or status >= 500 or (status == 404 and missing_is_temporary):
        raise TransportError(f"HTTP {status}", permanent=False)
    if status >= 400:
        raise TransportError(f"HTTP {status}", permanent=True)
    if body.too_large:
        raise MediaTooLarge(body.size, max_bytes, exact=body.exact)
    content = body.content if body.content is not None else _as_bytes(response.content)
    if len(content) > max_bytes:
        raise MediaTooLarge(len(content), max_bytes)
    return Media(content, _header(response.headers, "Content-Type"))


class _CappedBody:
    """A requests response hook that reads the final response's body (not a redirect's)
    up to a limit and keeps its exact bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.content: bytes | None = None
        self.too_large = False
        self.size = 0
        self.exact = True

    def read(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if response.is_redirect:
            return response
        # The library decodes the body to text afterwards; latin-1 maps each byte to one
        # character without guessing a charset over megabytes of audio.
        response.encoding = "latin-1"
        declared = _int(response.headers.get("Content-Length"))
        if declared is not None and declared > self.limit:
            self._refuse(response, declared, exact=True)
            return response
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > self.limit:
                self._refuse(response, size, exact=False)
                return response
            chunks.append(chunk)
        self.content = b"".join(chunks)
        self.size = size
        # requests would read the (now consumed) stream again; hand it what was read.
        response._content = self.content
        return response

    def _refuse(self, response: requests.Response, size: int, *, exact: bool) -> None:
        self.too_large, self.size, self.exact = True, size, exact
        response.close()  # the rest is never read
        response._content = b""


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value or "").encode()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _header(headers: Any, name: str) -> str:
    if not headers:
        return ""
    value = headers.get(name) or headers.get(name.lower()) or ""
    return str(value).split(";")[0].strip()


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def next_try_in(
    error: TransportError, retries_done: int, *, max_retries: int, first_delay: int,
    max_delay: int = 3600,
) -> int | None:
    """Seconds until a download that failed with `error` is tried again (doubling each
    time); None when it is not: the failure is permanent, or the retries ran out."""
    if error.permanent or retries_done >= max_retries:
        return None
    return int(min(first_delay * 2**retries_done, max_delay))
