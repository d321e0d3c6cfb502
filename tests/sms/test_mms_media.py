"""MMS / WhatsApp media: fetched to storage by the worker through the twilio client,
authenticated with the account's credentials; failures leave a note that says why."""

from __future__ import annotations

import pytest

from conversations.models import Attachment, Interaction
from tests.sms.conftest import INBOUND_PATH, payload
from tests.twilio import ACCOUNT_SID, AUTH_TOKEN
from tests.twilio.signing import post_signed
from tests.waiting import wait_for

MEDIA = (f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
         "MM8d2f4b6a1c3e5f7a9b0c2d4e6f8a1b3c/Media/")
JPEG_URL = MEDIA + "ME1a2b3c4d5e6f708192a3b4c5d6e7f809"
PNG_URL = MEDIA + "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0"
# Real magic numbers, then every byte value: anything decoded as text would not survive.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(range(256)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(255, -1, -1)) * 2

pytestmark = pytest.mark.django_db(transaction=True)


def _settled():
    """Every attachment fetched or given up on."""
    rows = list(Attachment.objects.values_list("note", flat=True))
    return rows and "fetching" not in rows


def _attachments():
    return {a.name: a for a in Attachment.objects.all()}


def test_media_are_fetched_by_the_worker_into_storage(client, inbox, fake_twilio, celery_worker):
    fake_twilio.media[JPEG_URL] = [(200, JPEG, "image/jpeg")]
    fake_twilio.media[PNG_URL] = [(200, PNG, "image/png")]

    assert post_signed(client, INBOUND_PATH, payload("mms_inbound")).status_code == 200
    wait_for(_settled)

    stored = _attachments()
    jpeg = stored["ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"]
    png = stored["ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.png"]
    assert (jpeg.note, jpeg.size, jpeg.content_type) == ("", len(JPEG), "image/jpeg")
    assert (png.note, png.size, png.content_type) == ("", len(PNG), "image/png")
    with jpeg.file.open("rb") as f:
        assert f.read() == JPEG
    with png.file.open("rb") as f:
        assert f.read() == PNG
    fetches = [r for r in fake_twilio.requests if r.method == "GET"]
    assert sorted(r.url for r in fetches) == [JPEG_URL, PNG_URL]
    assert all(r.auth == (ACCOUNT_SID, AUTH_TOKEN) and r.allow_redirects for r in fetches)
    assert Interaction.objects.get().attachments.count() == 2


def test_a_missing_media_leaves_a_clear_note(client, inbox, fake_twilio, celery_worker):
    fake_twilio.media[JPEG_URL] = [(404, b'{"code": 20404}', "application/json")]
    fake_twilio.media[PNG_URL] = [(200, PNG, "image/png")]

    post_signed(client, INBOUND_PATH, payload("mms_inbound"))
    wait_for(_settled)

    stored = _attachments()
    jpeg = stored["ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"]
    assert jpeg.note == "Could not fetch the media from Twilio: HTTP 404"
    assert not jpeg.file
    assert stored["ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.png"].note == ""


def test_a_server_error_is_retried(client, inbox, fake_twilio, celery_worker, settings):
    settings.OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS = 0
    fake_twilio.media[JPEG_URL] = [(503, b"", "text/plain"), (200, JPEG, "image/jpeg")]
    fake_twilio.media[PNG_URL] = [(200, PNG, "image/png")]

    post_signed(client, INBOUND_PATH, payload("mms_inbound"))
    wait_for(_settled)

    jpeg = _attachments()["ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"]
    assert (jpeg.note, jpeg.size) == ("", len(JPEG))
    assert [r.url for r in fake_twilio.requests].count(JPEG_URL) == 2


def test_retries_run_out_with_a_note(client, inbox, fake_twilio, celery_worker, settings):
    settings.OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS = 0
    settings.OMNIDESK_TWILIO_MEDIA_RETRIES = 2
    fake_twilio.media[JPEG_URL] = [(502, b"", "text/plain")]
    fake_twilio.media[PNG_URL] = [(200, PNG, "image/png")]

    post_signed(client, INBOUND_PATH, payload("mms_inbound"))
    wait_for(_settled)

    jpeg = _attachments()["ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"]
    assert jpeg.note == "Could not fetch the media from Twilio after 3 tries: HTTP 502"
    assert [r.url for r in fake_twilio.requests].count(JPEG_URL) == 3


def test_media_over_the_size_limit_is_not_kept(client, inbox, fake_twilio, celery_worker,
                                               settings):
    settings.OMNIDESK_ATTACHMENT_MAX_BYTES = 300
    fake_twilio.media[JPEG_URL] = [(200, JPEG, "image/jpeg")]
    fake_twilio.media[PNG_URL] = [(200, PNG, "image/png")]

    post_signed(client, INBOUND_PATH, payload("mms_inbound"))
    wait_for(_settled)

    stored = _attachments()
    jpeg = stored["ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"]
    png = stored["ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.png"]
    assert (len(JPEG), len(PNG)) == (272, 528)
    assert (jpeg.note, jpeg.size, bool(jpeg.file)) == ("", 272, True)
    # Not read past the limit: the note says how large it was; no size is recorded
    # for bytes that were never kept.
    assert (png.note, png.size, bool(png.file)) == (
        "Not kept: 528 bytes is over the limit of 300 bytes.", 0, False
    )
