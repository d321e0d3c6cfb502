"""The two core actions this channel added: consent upserts and late attachment bytes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from conversations.actions.attachments import (
    do_note_attachment_unavailable,
    do_store_attachment_content,
)
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundAttachment
from customers.actions.consent import do_record_consent
from customers.models import Consent
from realtime.models import RealtimeEvent
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(inbox):
    return do_record_inbound(inbound(
        inbox, "sms", "phone", "+14155550134", "photo", provider_id="MM1",
        attachments=[InboundAttachment(name="ME1.jpg", content_type="image/jpeg", note="fetching")],
    )).interaction


def test_consent_is_one_row_per_identity_channel_and_scope(message):
    identity = message.author_identity
    now = timezone.now()
    do_record_consent(identity, channel="sms", scope="+15005550006", status="opted_out",
                      source="inbound keyword STOP", at=now)
    do_record_consent(identity, channel="sms", scope="+15005550006", status="opted_in",
                      source="inbound keyword START", at=now + timedelta(seconds=1))
    do_record_consent(identity, channel="sms", scope="+15005550007", status="opted_out",
                      source="inbound keyword STOP", at=now)
    assert sorted(Consent.objects.values_list("scope", "status", "source")) == [
        ("+15005550006", "opted_in", "inbound keyword START"),
        ("+15005550007", "opted_out", "inbound keyword STOP"),
    ]


def test_an_older_statement_does_not_override_a_newer_one(message):
    identity = message.author_identity
    now = timezone.now()
    do_record_consent(identity, channel="sms", scope="", status="opted_in", source="START", at=now)
    do_record_consent(identity, channel="sms", scope="", status="opted_out", source="STOP",
                      at=now - timedelta(minutes=5))
    assert list(Consent.objects.values_list("status", "changed_at")) == [("opted_in", now)]


def test_stored_bytes_replace_the_note_once_and_notify(message):
    attachment = message.attachments.get()
    before = RealtimeEvent.objects.filter(name="interaction.updated").count()

    do_store_attachment_content(attachment.pk, b"\xff\xd8first", content_type="image/jpeg")
    do_store_attachment_content(attachment.pk, b"\xff\xd8second")
    do_note_attachment_unavailable(attachment.pk, "Could not fetch")

    attachment.refresh_from_db()
    with attachment.file.open("rb") as f:
        assert f.read() == b"\xff\xd8first"
    assert (attachment.note, attachment.size) == ("", 7)
    assert RealtimeEvent.objects.filter(name="interaction.updated").count() == before + 1
    payload = RealtimeEvent.objects.filter(name="interaction.updated").latest("id").payload
    assert payload["attachments"][0]["note"] == ""
    assert payload["attachments"][0]["url"] == f"/attachments/{attachment.pk}/"


def test_a_failure_note_stays_until_bytes_arrive(message):
    attachment = message.attachments.get()
    do_note_attachment_unavailable(attachment.pk, "Could not fetch the media from Twilio: HTTP 404")
    attachment.refresh_from_db()
    assert (attachment.note, bool(attachment.file)) == (
        "Could not fetch the media from Twilio: HTTP 404", False
    )
    attachment.file.save("x.jpg", ContentFile(b"x"), save=True)
    do_note_attachment_unavailable(attachment.pk, "later failure")
    attachment.refresh_from_db()
    assert attachment.note == "Could not fetch the media from Twilio: HTTP 404"
