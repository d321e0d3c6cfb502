"""Voice test helpers: Twilio's callback payloads (files in payloads/) and TwiML parsing.
Signed requests and the fake of Twilio's REST API are tests.twilio's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from conversations.models import Inbox

PAYLOADS = Path(__file__).parent / "payloads"
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
