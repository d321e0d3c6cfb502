"""Fixtures for the SMS / MMS / WhatsApp channel: Twilio's real webhook payloads (files
in payloads/), and the one fake of Twilio's REST API (tests.twilio.fake)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from conversations.models import Inbox
from tests.twilio.fake import fake_twilio  # noqa: F401  (the fixture)

PAYLOADS = Path(__file__).parent / "payloads"
INBOUND_PATH = "/webhooks/twilio/messaging/"
STATUS_PATH = "/webhooks/twilio/messaging/status/"
CUSTOMER = "+14155550134"


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


@pytest.fixture
def twilio_error() -> Any:
    def error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
        return status, {"code": code, "message": message, "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return error


@pytest.fixture
def inbox(twilio_inbox: Inbox) -> Inbox:
    return twilio_inbox
