"""Fixtures of the email channel tests: the .eml corpus, a clean slate of the email
channel's cache keys (rate limits, acknowledgement intervals) in this run's Redis db,
and a known inbound domain for reply addresses."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

CORPUS = Path(__file__).parent / "corpus"
PAYLOADS = Path(__file__).parent / "payloads"
INBOUND_DOMAIN = "in.omnidesk.test"
WEBHOOK_SECRET = "anymail-user:anymail-pass"
BASIC_AUTH = "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def corpus() -> Callable[[str], bytes]:
    return corpus_bytes


def _clear_channel_keys() -> None:
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match="*channels_email:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def email_settings(settings: Any) -> Iterator[Any]:
    settings.OMNIDESK_INBOUND_EMAIL_DOMAIN = INBOUND_DOMAIN
    # Django's test environment swaps EMAIL_BACKEND for locmem; the email channel is
    # tested against anymail's test backend (it records sends in mail.outbox too).
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-test-signing-key",
    }
    _clear_channel_keys()
    yield settings
    _clear_channel_keys()


@pytest.fixture(autouse=True)
def _email_webhooks_drained(email_webhooks_drained: None) -> None:
    """An email webhook's message is spooled; the drain records it right after."""
