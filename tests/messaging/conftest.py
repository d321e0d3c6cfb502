"""Fixtures for the Twilio messaging channel: Twilio's real webhook payloads (files in
payloads/), requests signed with the twilio library's own RequestValidator, and a fake
of Twilio's REST API caught at the library's HTTP layer (http_client_override)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from django.test import Client
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from channels_voice import client as twilio_client
from conversations.models import Inbox

PAYLOADS = Path(__file__).parent / "payloads"
AUTH_TOKEN = "12345678901234567890123456789012"  # the twilio_inbox fixture's
ACCOUNT_SID = "AC" + "0" * 32
INBOUND_PATH = "/webhooks/twilio/messaging/"
STATUS_PATH = "/webhooks/twilio/messaging/status/"
CUSTOMER = "+14155550134"


def sent_sid(n: int) -> str:
    """The SID the fake gives the n-th message sent (apart from inbound SIDs in tests)."""
    return f"SMfa4e{n:028x}"


def payload(name: str, *, sid: str | None = None, **overrides: str) -> dict[str, str]:
    """A recorded Twilio webhook body, in Twilio's parameter order. `sid` replaces the
    message SID everywhere Twilio repeats it (MessageSid, SmsSid, SmsMessageSid)."""
    params = dict(parse_qsl((PAYLOADS / f"{name}.form").read_text(), keep_blank_values=True))
    if sid is not None:
        for key in ("MessageSid", "SmsSid", "SmsMessageSid"):
            if key in params:
                params[key] = sid
    params.update(overrides)
    return params


def sign(params: dict[str, str], url: str, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_signed(
    client: Client,
    path: str,
    params: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    signed_url: str | None = None,
    signature: str | None = None,
) -> Any:
    """POST form-encoded, as Twilio does, signed for the URL Twilio would have called."""
    url = signed_url or f"http://testserver{path}"
    headers = {}
    if signature is None:
        signature = sign(params, url, token)
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )


@dataclass
class Recorded:
    method: str
    url: str
    data: dict[str, Any]
    auth: tuple[str, str] | None
    allow_redirects: bool


class FakeTwilio(HttpClient):
    """Answers like api.twilio.com: Messages.json creates a message (or answers the next
    queued error), media URLs answer the bytes set for them. Thread-safe, since the
    Celery worker thread calls it too."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), False)
        self._lock = threading.Lock()
        self._sent = 0
        self.requests: list[Recorded] = []
        # Next answers of Messages.json: (HTTP status, Twilio error body) or an exception.
        self.send_failures: list[tuple[int, dict[str, Any]] | Exception] = []
        # URL -> answers in turn (the last repeats): (HTTP status, bytes, content type).
        self.media: dict[str, list[tuple[int, bytes, str]]] = {}

    def request(self, method: str, uri: str, params: Any = None, data: Any = None,
                headers: Any = None, auth: Any = None, timeout: Any = None,
                allow_redirects: bool = False) -> Response:
        with self._lock:
            self.requests.append(Recorded(method, uri, dict(data or {}), auth, allow_redirects))
            if method == "POST" and uri.endswith("/Messages.json"):
                return self._create_message(dict(data or {}))
            if method == "GET" and uri in self.media:
                answers = self.media[uri]
                status, body, content_type = answers.pop(0) if len(answers) > 1 else answers[0]
                return Response(status, body, {"Content-Type": content_type})  # type: ignore[arg-type]
        return Response(404, json.dumps({"code": 20404, "message": "Not found", "status": 404}))

    def _create_message(self, data: dict[str, Any]) -> Response:
        if self.send_failures:
            failure = self.send_failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            status, body = failure
            return Response(status, json.dumps(body))
        self._sent += 1
        message = json.loads((PAYLOADS / "message_created.json").read_text())
        message.update({
            "sid": sent_sid(self._sent),
            "body": data.get("Body", ""),
            "from": data.get("From"),
            "to": data.get("To"),
            "messaging_service_sid": data.get("MessagingServiceSid"),
        })
        message["uri"] = message["uri"].replace("{sid}", message["sid"])
        return Response(201, json.dumps(message))

    def sends(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.url.endswith("/Messages.json")]


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    twilio_client.http_client_override = fake
    try:
        yield fake
    finally:
        twilio_client.http_client_override = None


@pytest.fixture
def twilio_error() -> Any:
    def error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
        return status, {"code": code, "message": message, "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return error


@pytest.fixture
def inbox(twilio_inbox: Inbox) -> Inbox:
    return twilio_inbox
