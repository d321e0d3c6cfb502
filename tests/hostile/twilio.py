"""Signing and posting Twilio webhooks the way Twilio does, for the hostile tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from django.test import Client

from tests.twilio.signing import post_signed

PAYLOADS = Path(__file__).parent / "payloads"
AUTH_TOKEN = "12345678901234567890123456789012"  # the twilio_inbox fixture's
INBOX_NUMBER = "+15005550006"
INBOUND_PATH = "/webhooks/twilio/messaging/"
STATUS_PATH = "/webhooks/twilio/messaging/status/"


def sms_params(**overrides: str) -> dict[str, str]:
    params = dict(
        parse_qsl((PAYLOADS / "twilio_sms_inbound.form").read_text(), keep_blank_values=True)
    )
    params.update(overrides)
    return params


def status_params(**overrides: str) -> dict[str, str]:
    params = dict(
        parse_qsl((PAYLOADS / "twilio_status_delivered.form").read_text(), keep_blank_values=True)
    )
    params.update(overrides)
    return params


def call_params() -> dict[str, str]:
    return dict(json.loads((PAYLOADS / "twilio_incoming_call.json").read_text()))


def post_twilio(
    client: Client, path: str, params: dict[str, str], *, signature: str | None = None
) -> Any:
    """POST form-encoded; signed for http://testserver<path> unless `signature` is given
    ("" sends no signature header)."""
    return post_signed(client, path, params, signature=signature)
