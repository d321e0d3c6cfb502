"""receive_raw_email given any bytes at all: random, and every corpus message mutated.
It never raises; with an email inbox configured every message is kept (under the
unknown sender when none can be named); the same bytes twice record one interaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from channels_email.receive import receive_raw_email
from conversations.models import Direction, Interaction
from tests.hostile.conftest import FUZZ

pytestmark = pytest.mark.django_db

CORPUS = {path.name: path.read_bytes()
          for path in sorted((Path(__file__).parent / "payloads" / "eml").glob("*.eml"))}
NASTY_BYTES = [b"\x00", b"\r\n\r\n", b"\n--", b"=?utf-8?B?", b"\xff\xfe", b"\r", b": ",
               b"Content-Type: multipart/mixed; boundary=\"\"\n", b"=\n", b"\x1b$B"]


def _clear_email_keys() -> None:
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match="*channels_email:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def email_settings(settings: Any) -> Iterator[Any]:
    settings.OMNIDESK_INBOUND_EMAIL_DOMAIN = "in.omnidesk.test"
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    _clear_email_keys()
    yield settings
    _clear_email_keys()


@st.composite
def mutated_corpus(draw: Any) -> bytes:
    data = bytearray(CORPUS[draw(st.sampled_from(sorted(CORPUS)))])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(NASTY_BYTES), st.binary(max_size=16)))
        elif op == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
        else:
            del data[at:at + draw(st.integers(1, 50))]
    return bytes(data)


def inbound_count() -> int:
    return Interaction.objects.filter(direction=Direction.INBOUND, channel="email").count()


def assert_kept_once(raw: bytes) -> None:
    before = inbound_count()
    first = receive_raw_email(raw, source="hostile")
    assert first.kept, first.reason
    recorded = inbound_count() - before
    # Our own message coming back is the one thing kept without a row.
    assert recorded == (0 if first.noise == "own_message" else 1) or (
        first.result is not None and not first.result.created
    ), first.reason
    if first.result is not None:
        interaction = first.result.interaction
        assert "\x00" not in interaction.text + interaction.html + interaction.subject
    second = receive_raw_email(raw, source="hostile")
    assert second.kept, second.reason
    assert inbound_count() == before + recorded
    if first.result is not None and second.result is not None:
        assert second.result.interaction.pk == first.result.interaction.pk


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_random_bytes_are_kept_once_and_never_raise(email_inbox, raw):
    assert_kept_once(raw)


@FUZZ
@given(raw=mutated_corpus())
def test_mutated_corpus_messages_are_kept_once_and_never_raise(email_inbox, raw):
    assert_kept_once(raw)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_corpus_message_is_kept_once(email_inbox, name):
    assert_kept_once(CORPUS[name])


def test_without_an_inbox_nothing_is_kept_and_nothing_raises(db):
    outcome = receive_raw_email(CORPUS["gmail_reply.eml"])
    assert (outcome.kept, outcome.reason) == (False, "no active email inbox is configured")
    assert not Interaction.objects.exists()


def _mime_bomb_nested(depth: int) -> bytes:
    head = b"From: Bomb <bomb@example.com>\r\nTo: support@omnidesk.test\r\nSubject: nested\r\n"
    head += b"Message-ID: <nested-bomb@example.com>\r\nMIME-Version: 1.0\r\n"
    body = b"Content-Type: text/plain\r\n\r\ninnermost\r\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=\"" + boundary + b"\"\r\n\r\n--"
                + boundary + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n")
    return head + body


def _mime_bomb_wide(parts: int) -> bytes:
    head = (b"From: Wide <wide@example.com>\r\nTo: support@omnidesk.test\r\nSubject: wide\r\n"
            b"Message-ID: <wide-bomb@example.com>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"w\"\r\n\r\n")
    part = b"--w\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;" \
           b" filename=\"x.bin\"\r\n\r\nx\r\n"
    return head + part * parts + b"--w--\r\n"


def test_deeply_nested_multipart_is_kept(email_inbox):
    raw = _mime_bomb_nested(400)
    assert_kept_once(raw)
    interaction = Interaction.objects.get(provider_id="<nested-bomb@example.com>")
    assert interaction.author_identity.value == "bomb@example.com"


@pytest.mark.slow
def test_thousands_of_parts_are_kept(email_inbox):
    raw = _mime_bomb_wide(3000)
    assert_kept_once(raw)
    interaction = Interaction.objects.get(provider_id="<wide-bomb@example.com>")
    assert interaction.author_identity.value == "wide@example.com"


def test_gigantic_header_is_kept(email_inbox):
    raw = (b"From: Huge <huge@example.com>\r\nTo: support@omnidesk.test\r\n"
           b"Subject: " + b"A" * 2_000_000 + b"\r\nX-Junk: " + b"\x00\xff" * 100_000
           + b"\r\nMessage-ID: <huge@example.com>\r\n\r\nbody\r\n")
    assert_kept_once(raw)
    interaction = Interaction.objects.get(provider_id="<huge@example.com>")
    assert interaction.subject == "A" * 500
