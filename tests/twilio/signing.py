"""Webhook requests signed the way Twilio signs them, with the twilio library's own
RequestValidator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.test import Client
from twilio.request_validator import RequestValidator

from tests.twilio import AUTH_TOKEN


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
    """POST form-encoded, as Twilio does, signed for the URL Twilio would have called
    (`signed_url`, else http://testserver<path>); `signature=""` sends none."""
    url = signed_url or f"http://testserver{path}"
    if signature is None:
        signature = sign(params, url, token)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )
