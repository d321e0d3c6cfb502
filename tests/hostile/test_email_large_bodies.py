"""Large legitimate mail: a webhook carrying an attachment just under
OMNIDESK_ATTACHMENT_MAX_BYTES (in base64, inside Postmark's JSON or SendGrid's multipart
form) is accepted and the file kept byte for byte; a larger body is a 413 that says
why; every other endpoint keeps the ordinary limit."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client

from conversations.models import Attachment, Interaction
from tests.hostile.conftest import clear_email_cache_keys, row_counts
from tests.hostile.esp_payloads import basic_auth, fixture

pytestmark = pytest.mark.django_db

SECRET = "anymail-user:anymail-pass"
AUTH = basic_auth(SECRET)
# Every byte value, with CR, LF and CRLF runs that a careless re-serialization rewrites.
TRICKY = bytes(range(256)) + b"\r\n\r\r\n\n\r" * 50


@pytest.fixture(autouse=True)
def mail_settings(settings: Any) -> Iterator[Any]:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    clear_email_cache_keys()
    yield settings
    clear_email_cache_keys()


def blob(size: int) -> bytes:
    return (TRICKY + os.urandom(size))[:size]


def postmark_with(data: bytes, name: str = "big.bin") -> str:
    body = fixture("postmark_inbound.json")
    body["Attachments"] = [{"Name": name, "Content": base64.b64encode(data).decode(),
                            "ContentType": "application/octet-stream",
                            "ContentLength": len(data), "ContentID": ""}]
    return json.dumps(body)


def raw_with(data: bytes, message_id: str) -> str:
    message = EmailMessage()
    message["From"] = "Hugo Martin <hugo.martin@example.fr>"
    message["To"] = "support@omnidesk.test"
    message["Subject"] = "Logs"
    message["Message-ID"] = message_id
    message.set_content("Logs attached.")
    message.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename="big.bin")
    return message.as_string()


def kept_file(name: str = "big.bin") -> bytes:
    attachment = Attachment.objects.get(name=name)
    with attachment.file.open("rb") as handle:
        return handle.read()


def test_the_webhook_limit_is_the_attachment_limit_in_base64_with_room(settings):
    assert settings.OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES == (
        settings.OMNIDESK_ATTACHMENT_MAX_BYTES * 3 // 2 + 1024 * 1024)
    ceiling = max(settings.OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES, settings.OMNIDESK_REQUEST_MAX_BYTES)
    assert ceiling == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.slow
def test_postmark_json_with_an_attachment_just_under_the_limit_is_kept(email_inbox, settings):
    data = blob(settings.OMNIDESK_ATTACHMENT_MAX_BYTES - 64 * 1024)
    body = postmark_with(data)
    assert len(body) > settings.OMNIDESK_REQUEST_MAX_BYTES  # refused before
    response = Client().post("/anymail/postmark/inbound/", data=body,
                             content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert hashlib.sha256(kept_file()).hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.slow
def test_sendgrid_multipart_with_an_attachment_just_under_the_limit_is_kept(
    email_inbox, settings
):
    data = blob(settings.OMNIDESK_ATTACHMENT_MAX_BYTES - 64 * 1024)
    raw = raw_with(data, "<large-sendgrid@example.fr>")
    assert len(raw) > settings.OMNIDESK_REQUEST_MAX_BYTES  # refused before
    response = Client().post("/anymail/sendgrid/inbound/",
                             data={**fixture("sendgrid_inbound_raw.json"), "email": raw}, **AUTH)
    assert response.status_code == 200
    assert Interaction.objects.get().provider_id == "<large-sendgrid@example.fr>"
    assert hashlib.sha256(kept_file()).hexdigest() == hashlib.sha256(data).hexdigest()


def test_binary_attachments_of_parsed_field_esps_are_kept_byte_for_byte(email_inbox):
    # Postmark posts parsed fields; anymail rebuilds the attachment from them.
    data = blob(20_000)
    response = Client().post("/anymail/postmark/inbound/", data=postmark_with(data),
                             content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert kept_file() == data


def test_mailjet_binary_attachment_is_kept_byte_for_byte(email_inbox):
    data = blob(5_000)
    body = fixture("mailjet_inbound.json")
    body["Parts"].append({"Headers": {"Content-Type": "application/octet-stream",
                                      "Content-Disposition": 'attachment; filename="big.bin"'},
                          "ContentRef": "Attachment1"})
    body["Attachment1"] = base64.b64encode(data).decode()
    response = Client().post("/anymail/mailjet/inbound/", data=json.dumps(body),
                             content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert kept_file() == data


def test_a_webhook_body_over_the_limit_is_a_413_that_says_why(email_inbox, settings):
    settings.OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES = 100_000
    body = postmark_with(blob(90_000))
    response = Client().post("/anymail/postmark/inbound/", data=body,
                             content_type="application/json", **AUTH)
    assert response.status_code == 413
    assert response.content.decode() == (
        f"The request body ({len(body)} bytes) is over the 100000-byte limit of email "
        "webhooks (OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES)."
    )
    assert row_counts() == (0, 0, 0)


def test_a_multipart_field_over_djangos_ceiling_is_a_413_too(email_inbox, settings):
    # Django measures multipart form fields as it reads them, against its one ceiling.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    raw = raw_with(blob(60_000), "<over@example.fr>")
    response = Client().post("/anymail/sendgrid/inbound/",
                             data={**fixture("sendgrid_inbound_raw.json"), "email": raw},
                             **AUTH)
    assert response.status_code == 413
    assert row_counts() == (0, 0, 0)


def test_other_endpoints_keep_the_ordinary_limit(api_inbox, settings):
    settings.OMNIDESK_REQUEST_MAX_BYTES = 100_000
    body = json.dumps({"sender": {"kind": "email", "value": "a@example.com"},
                       "text": "x" * 150_000})
    response = Client().post("/api/v1/inbound/", data=body, content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer whatever")
    assert response.status_code == 413
    assert response.content.decode() == (
        f"The request body ({len(body)} bytes) is over the 100000-byte limit of requests "
        "(DATA_UPLOAD_MAX_MEMORY_SIZE)."
    )
    assert row_counts() == (0, 0, 0)
