"""Incoming SMS, MMS and WhatsApp messages through the one pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.models import Attachment, Conversation, Interaction
from customers.actions.profile import do_add_identity
from customers.models import Customer, Identity
from tests.factories import inbound
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, payload
from tests.twilio import ACCOUNT_SID
from tests.twilio.signing import post_signed

pytestmark = pytest.mark.django_db


def test_sms_from_a_customer_who_emailed_joins_their_conversation(client, inbox, email_inbox):
    emailed = do_record_inbound(inbound(
        email_inbox, "email", "email", "dana.reyes@example.com", "My order #1042 is late",
        provider_id="<a1@mail.example.com>", subject="Order 1042 late", sender_name="Dana Reyes",
        occurred_at=timezone.now() - timedelta(hours=3),
    ))
    do_add_identity(emailed.conversation.customer, "phone", "+1 415 555 0134")

    response = post_signed(client, INBOUND_PATH, payload("sms_inbound"))

    assert response.status_code == 200
    assert Customer.objects.count() == 1
    conversation = Conversation.objects.get()
    assert conversation.pk == emailed.conversation.pk
    assert conversation.channels == ["email", "sms"]
    assert conversation.last_inbound_channel == "sms"
    assert conversation.last_inbound_inbox == inbox
    sms = Interaction.objects.get(channel="sms")
    assert sms.text == "Any news on order 1042?"
    assert sms.author_identity == Identity.objects.get(kind="phone", value=CUSTOMER)
    assert sms.provider_id == "SM5e1b3f6a2c9d4e7f8a0b1c2d3e4f5a6b"
    assert sms.inbox == inbox
    assert sms.raw == payload("sms_inbound")
    assert sms.meta == {
        "to": "+15005550006", "num_media": 0, "num_segments": "1",
        "from_city": "SAN FRANCISCO", "from_state": "CA", "from_country": "US",
    }


def test_repeated_webhook_records_one_interaction(client, inbox):
    first = post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    again = post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert Interaction.objects.filter(kind="message").count() == 1
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("sender", ["", "not-a-number", "+1 (415)", "whatsapp:", "ACME-ALERTS"])
def test_unusable_sender_is_refused_clearly_and_nothing_recorded(client, inbox, sender):
    response = post_signed(client, INBOUND_PATH, payload("sms_inbound", From=sender))
    assert response.status_code == 400
    assert response.content.decode() == (
        f"From must be a phone number (E.164, optionally whatsapp:+…); got {sender!r}."
    )
    assert not Interaction.objects.exists()
    assert not Customer.objects.exists()


def test_whatsapp_message_strips_prefixes_and_keeps_the_profile(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("whatsapp_inbound"))

    assert response.status_code == 200
    message = Interaction.objects.get()
    assert message.channel == "whatsapp"
    assert message.text == "Hi, has my order shipped?"
    assert message.author_identity.kind == "phone"
    assert message.author_identity.value == CUSTOMER
    assert message.conversation.customer.name == "Dana Reyes"
    assert message.meta == {
        "to": "whatsapp:+15005550006", "num_media": 0, "num_segments": "1",
        "profile_name": "Dana Reyes", "wa_id": "14155550134", "message_type": "text",
    }


def test_whatsapp_and_sms_from_one_phone_are_one_customer(client, inbox):
    post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    post_signed(client, INBOUND_PATH, payload("whatsapp_inbound"))
    assert Customer.objects.count() == 1
    assert Conversation.objects.get().channels == ["sms", "whatsapp"]


def test_whatsapp_to_a_separate_whatsapp_sender_finds_its_inbox(client, inbox):
    inbox.config = {**inbox.config, "whatsapp_sender": "+15005550007"}
    inbox.save()
    response = post_signed(
        client, INBOUND_PATH, payload("whatsapp_inbound", To="whatsapp:+15005550007")
    )
    assert response.status_code == 200
    assert Interaction.objects.get().inbox == inbox


def test_message_to_a_pool_number_of_the_inboxs_messaging_service(client, inbox):
    service = "MG" + "2" * 32
    inbox.config = {**inbox.config, "messaging_service_sid": service}
    inbox.save()
    params = payload("sms_inbound", To="+15005550010", MessagingServiceSid=service)
    assert post_signed(client, INBOUND_PATH, params).status_code == 200
    assert Interaction.objects.get().inbox == inbox


def test_mms_records_one_attachment_per_media_waiting_for_the_fetch(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("mms_inbound"))

    assert response.status_code == 200
    message = Interaction.objects.get()
    assert message.text == "This is how the box arrived"
    assert message.meta["num_media"] == 2
    base = (f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
            "MM8d2f4b6a1c3e5f7a9b0c2d4e6f8a1b3c/Media/")
    assert message.meta["media"] == [
        {"url": base + "ME1a2b3c4d5e6f708192a3b4c5d6e7f809", "content_type": "image/jpeg",
         "name": "ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg"},
        {"url": base + "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0", "content_type": "image/png",
         "name": "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.png"},
    ]
    attachments = list(Attachment.objects.values_list("name", "content_type", "note", "file"))
    assert attachments == [
        ("ME1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg", "image/jpeg", "fetching", ""),
        ("ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.png", "image/png", "fetching", ""),
    ]
