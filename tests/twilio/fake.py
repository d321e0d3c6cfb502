"""The one fake of Twilio's REST API, at the twilio library's own HTTP layer
(twilio_common.client.http_client_override): omnidesk's code and the library run for
real; only the network answer is ours. Answers come from files in responses/.

What it answers: Messages.json (send a message), Calls.json (place a call),
Calls/<sid>.json (update a live call), and GETs of media URLs given to it (MMS media,
recordings). Anything else is Twilio's 404. `fail_next` makes the next request of a
kind fail with an HTTP error or a network exception. Thread-safe: the Celery worker
thread calls it too.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from tests.twilio import ACCOUNT_SID
from twilio_common import client as twilio_client

RESPONSES = Path(__file__).parent / "responses"
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"

# An HTTP error (status, Twilio's error body) or an exception the HTTP client raises.
Failure = tuple[int, dict[str, Any]] | Exception


def sent_sid(n: int) -> str:
    """The SID of the n-th message the fake accepts."""
    return f"SMfa4e{n:028x}"


def recording_url(sid: str) -> str:
    return f"{API}/Recordings/{sid}.mp3"


@dataclass
class Recorded:
    method: str
    url: str
    params: dict[str, Any]
    data: dict[str, Any]
    auth: tuple[str, str] | None
    allow_redirects: bool


class FakeTwilio(HttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), False, None)
        self._lock = threading.Lock()
        self._messages = 0
        self.requests: list[Recorded] = []
        # URL -> answers in turn, the last one repeating: (HTTP status, bytes, content type).
        self.media: dict[str, list[tuple[int, bytes, str]]] = {}
        self._failures: dict[str, list[Failure]] = {}

    def fail_next(self, kind: str, failure: Failure) -> None:
        """The next request of `kind` ("message", "call", "call_update", "media") fails."""
        with self._lock:
            self._failures.setdefault(kind, []).append(failure)

    def add_recording(self, sid: str, audio: bytes) -> None:
        self.media[recording_url(sid)] = [(200, audio, "audio/mpeg")]

    def request(self, method: str, uri: str, params: Any = None, data: Any = None,
                headers: Any = None, auth: Any = None, timeout: Any = None,
                allow_redirects: bool = False) -> Response:
        data = dict(data or {})
        with self._lock:
            self.requests.append(
                Recorded(method, uri, dict(params or {}), data, auth, allow_redirects))
            kind = _kind(method, uri, self.media)
            failures = self._failures.get(kind or "")
            failure = failures.pop(0) if failures else None
            if isinstance(failure, Exception):
                raise failure
            if failure is not None:
                return Response(failure[0], json.dumps(failure[1]))
            if kind == "message":
                self._messages += 1
                return Response(201, _message(sent_sid(self._messages), data))
            if kind == "call":
                return Response(201, _call("CA" + uuid.uuid4().hex, "queued", data))
            if kind == "call_update":
                sid = urlparse(uri).path.rsplit("/", 1)[-1].removesuffix(".json")
                return Response(200, _call(sid, "in-progress", data))
            if kind == "media":
                answers = self.media[uri]
                status, body, content_type = answers.pop(0) if len(answers) > 1 else answers[0]
                # A replacement HTTP client may hand back bytes; the real one's bytes
                # are read by twilio_common.media's response hook.
                return Response(status, body, {"Content-Type": content_type})  # type: ignore[arg-type]
        return Response(404, (RESPONSES / "not_found.json").read_text())

    def sends(self) -> list[Recorded]:
        return self._of("message")

    def calls_created(self) -> list[Recorded]:
        return self._of("call")

    def call_updates(self) -> list[Recorded]:
        return self._of("call_update")

    def _of(self, kind: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if _kind(r.method, r.url, self.media) == kind]


def _kind(method: str, uri: str, media: dict[str, Any]) -> str | None:
    path = urlparse(uri).path
    if method == "POST" and path.endswith("/Messages.json"):
        return "message"
    if method == "POST" and path.endswith("/Calls.json"):
        return "call"
    if method == "POST" and re.search(r"/Calls/CA\w+\.json$", path):
        return "call_update"
    if method == "GET" and uri in media:
        return "media"
    return None


def _fill(name: str, values: dict[str, Any]) -> str:
    text = (RESPONSES / name).read_text()
    for key, value in values.items():
        text = text.replace(f'"{{{key}}}"', json.dumps(value))
        text = text.replace(f"{{{key}}}", str(value))
    return text


def _message(sid: str, data: dict[str, Any]) -> str:
    message = json.loads(_fill("message_created.json", {"sid": sid, "body": data.get("Body", ""),
                                                       "from": data.get("From"),
                                                       "to": data.get("To")}))
    message["messaging_service_sid"] = data.get("MessagingServiceSid")
    return json.dumps(message)


def _call(sid: str, status: str, data: dict[str, Any]) -> str:
    return _fill("call.json", {"sid": sid, "status": status, "from": data.get("From"),
                               "to": data.get("To")})


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    twilio_client.http_client_override = fake
    try:
        yield fake
    finally:
        twilio_client.http_client_override = None
