"""Voice test helpers: Twilio's callback payloads, signed requests, TwiML parsing, and a
fake of Twilio's REST API at the twilio library's own HTTP layer."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from django.test import Client
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from conversations.models import Inbox

PAYLOADS = Path(__file__).parent / "payloads"
TOKEN = "12345678901234567890123456789012"  # the twilio_inbox fixture's auth token
ACCOUNT = "AC" + "0" * 32
VOICE = "/webhooks/twilio/voice/"
# An MP3 frame header, then every byte value: the stored file must match byte for byte.
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb\x90d" + bytes(range(256)) * 8


def payload(name: str, **overrides: str) -> dict[str, str]:
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    data.update(overrides)
    return data


def hook(name: str, inbox: Inbox | None = None, **params: Any) -> str:
    path = VOICE if name == "incoming" else f"{VOICE}{name}/"
    query = {"inbox": inbox.slug} if inbox is not None else {}
    query.update({k: str(v) for k, v in params.items()})
    return f"{path}?{urlencode(query)}" if query else path


def signed_post(
    client: Client, path: str, params: dict[str, str], *, token: str = TOKEN,
    signed_url: str | None = None, signature: str | None = None,
) -> Any:
    url = signed_url or f"http://testserver{path}"
    sig = signature
    if sig is None:
        sig = RequestValidator(token).compute_signature(url, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": sig} if sig else {}
    return client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded",
                       **headers)


def twiml(response: Any) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own TwiML)
    assert root.tag == "Response"
    return root


def verbs(root: ET.Element) -> list[str]:
    return [child.tag for child in root]


def assert_voicemail_offer(root: ET.Element, inbox: Inbox, offset: int = 0) -> None:
    """No agent took the call: press 1 for voicemail, 2 for a callback, then <Record>."""
    assert verbs(root)[offset:] == ["Gather", "Say", "Record", "Say", "Hangup"]
    gather = root[offset]
    assert gather.get("action").startswith(
        "http://testserver/webhooks/twilio/voice/after/?inbox=support-line")
    assert "press 2 and we will call you back" in gather.findtext("Say")
    record = root[offset + 2]
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == (
        "http://testserver/webhooks/twilio/voice/transcription/?inbox=support-line")
    assert record.get("recordingStatusCallback") == (
        "http://testserver/webhooks/twilio/voice/recording/?inbox=support-line")
    assert record.get("action").startswith("http://testserver/webhooks/twilio/voice/recorded/")


@dataclass
class SentRequest:
    method: str
    url: str
    params: dict[str, Any] | None
    data: dict[str, Any] | None
    auth: tuple[str, str] | None


class FakeTwilioApi(HttpClient):
    """Answers like Twilio's REST API for the few resources omnidesk uses: creating and
    updating calls, and serving recording media. Records every request."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), False, None)
        self.sent: list[SentRequest] = []
        self.recordings: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def request(self, method: str, uri: str, params: Any = None, data: Any = None,
                headers: Any = None, auth: Any = None, timeout: Any = None,
                allow_redirects: bool = False) -> Response:
        with self.lock:
            self.sent.append(SentRequest(method, uri, params, dict(data or {}), auth))
        path = urlparse(uri).path
        if method == "POST" and path.endswith("/Calls.json"):
            sid = "CA" + uuid.uuid4().hex
            return Response(201, json.dumps(self._call(sid, "queued", data)))
        match = re.search(r"/Calls/(CA\w+)\.json$", path)
        if method == "POST" and match:
            return Response(200, json.dumps(self._call(match.group(1), "in-progress", data)))
        match = re.search(r"/Recordings/(RE\w+)\.mp3$", path)
        if method == "GET" and match and match.group(1) in self.recordings:
            # The real client decodes the body as text; omnidesk asks for latin-1.
            body = self.recordings[match.group(1)].decode("latin-1")
            return Response(200, body, {"Content-Type": "audio/mpeg"})
        return Response(404, json.dumps({"code": 20404, "status": 404,
                                         "message": "The requested resource was not found"}))

    @staticmethod
    def _call(sid: str, status: str, data: Any) -> dict[str, Any]:
        data = data or {}
        return {
            "sid": sid, "account_sid": ACCOUNT, "status": status, "direction": "outbound-api",
            "to": data.get("To"), "from": data.get("From"), "api_version": "2010-04-01",
            "date_created": "Tue, 14 Oct 2025 09:12:03 +0000",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json",
        }

    def calls_created(self) -> list[SentRequest]:
        return [r for r in self.sent if r.method == "POST" and r.url.endswith("/Calls.json")]
