"""MIME nested far deeper than any mail client nests (1000 levels: the stdlib parser
recursed until RecursionError, so the message could never be recorded) is kept, read
flattened, with a note saying what was flattened; whether it comes as raw bytes or
through an ESP webhook whose payload anymail parses first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from channels_email.mime_depth import MAX_DEPTH, Flattening
from channels_email.receive import receive_raw_email
from conversations.models import Attachment, Interaction
from tests.hostile.conftest import clear_email_cache_keys
from tests.hostile.esp_payloads import basic_auth, fixture

pytestmark = pytest.mark.django_db

SECRET = "anymail-user:anymail-pass"


@pytest.fixture(autouse=True)
def mail_settings(settings: Any) -> Iterator[Any]:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    clear_email_cache_keys()
    yield settings
    clear_email_cache_keys()


def multipart_bomb(levels: int, message_id: str) -> bytes:
    nested = (
        "Content-Type: application/pdf\r\nContent-Disposition: attachment; "
        'filename="deep.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n'
    )
    for level in range(levels - 1):
        nested = (f'Content-Type: multipart/mixed; boundary="n{level}"\r\n\r\n--n{level}\r\n'
                  f"{nested}\r\n--n{level}--\r\n")
    return (
        "From: Bomb <bomb@example.com>\r\nTo: support@omnidesk.test\r\nSubject: Deep\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="top"\r\n\r\n'
        "--top\r\nContent-Type: text/plain\r\n\r\nSee the nested file.\r\n"
        f"--top\r\n{nested}--top--\r\n"
    ).encode()


def message_bomb(levels: int) -> bytes:
    """message/rfc822 inside message/rfc822: no boundary at all."""
    inner = "From: inner@example.com\r\nContent-Type: text/plain\r\n\r\ninnermost\r\n"
    for _ in range(levels - 1):
        inner = f"Content-Type: message/rfc822\r\n\r\n{inner}"
    return ("From: Russian Doll <doll@example.com>\r\nTo: support@omnidesk.test\r\n"
            "Message-ID: <doll@example.com>\r\nSubject: Dolls\r\n" + inner).encode()


def assert_flattened(interaction: Interaction, levels: int, parts: int) -> None:
    assert interaction.meta["mime_flattened"] == {
        "levels": levels,
        "parts": parts,
        "note": Flattening(levels=levels, parts=parts).note,
    }
    assert interaction.meta["mime_flattened"]["note"] == (
        f"This message nested its MIME parts {levels} levels deep (omnidesk reads "
        f"{MAX_DEPTH}); they were flattened: its {parts} parts are kept in their order, "
        "one level deep."
    )


def test_a_thousand_levels_of_multipart_is_kept_with_a_note(email_inbox):
    raw = multipart_bomb(1000, "<deep@example.com>")
    outcome = receive_raw_email(raw)
    assert outcome.kept and outcome.result.created
    interaction = outcome.result.interaction
    assert interaction.author_identity.value == "bomb@example.com"
    assert interaction.text == "See the nested file."
    assert_flattened(interaction, 1000, 2)
    attachment = Attachment.objects.get(interaction=interaction)
    assert (attachment.name, attachment.content_type) == ("deep.pdf", "application/pdf")
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4\n"
    with interaction.raw_file.open("rb") as handle:
        assert handle.read() == raw  # the message as received


def test_a_thousand_nested_messages_are_kept_with_a_note(email_inbox):
    outcome = receive_raw_email(message_bomb(1000))
    assert outcome.kept
    interaction = outcome.result.interaction
    assert interaction.author_identity.value == "doll@example.com"
    assert interaction.text == "innermost"
    assert_flattened(interaction, 999, 1)


def test_shallow_nesting_is_read_as_it_is(email_inbox):
    outcome = receive_raw_email(multipart_bomb(MAX_DEPTH - 1, "<shallow@example.com>"))
    assert "mime_flattened" not in outcome.result.interaction.meta
    assert outcome.result.interaction.text == "See the nested file."


def test_through_sendgrid_it_is_kept_with_the_same_note(email_inbox):
    raw = multipart_bomb(1000, "<deep-sg@example.com>").decode()
    fields = {**fixture("sendgrid_inbound_raw.json"), "email": raw}
    response = Client().post("/anymail/sendgrid/inbound/", data=fields, **basic_auth(SECRET))
    assert response.status_code == 200
    assert Client().post("/anymail/sendgrid/inbound/", data=fields,
                         **basic_auth(SECRET)).status_code == 200
    interaction = Interaction.objects.get()
    assert interaction.provider_id == "<deep-sg@example.com>"
    assert interaction.text == "See the nested file."
    assert_flattened(interaction, 1000, 2)
    assert Attachment.objects.get(interaction=interaction).name == "deep.pdf"


def test_a_forged_flattened_header_says_nothing(email_inbox):
    raw = (b"From: liar@example.com\r\nTo: support@omnidesk.test\r\n"
           b"Message-ID: <liar@example.com>\r\n"
           b"X-Omnidesk-Flattened: 5000 levels, 1 parts; 0123456789abcdef0123\r\n\r\nHi\r\n")
    outcome = receive_raw_email(raw)
    assert "mime_flattened" not in outcome.result.interaction.meta
