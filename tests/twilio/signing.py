"""Webhook requests signed the way Twilio signs them, with the twilio library's own
RequestValidator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from spool import conf as spool_conf
from tests.spooled import drained
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
    (`signed_url`, else http://testserver<path>); `signature=""` sends none.

    An incoming message is spooled by the webhook and recorded by the drain: the
    drain runs here, in the test's transaction (which its thread could not see), as
    the beat sweep runs it (tests/spool shows the drain thread doing it on its own)."""
    url = signed_url or f"http://testserver{path}"
    if signature is None:
        signature = sign(params, url, token)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    response = client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )
    if path == reverse("twilio-messaging-inbound") and spool_conf.enabled():
        drained()
    return response
