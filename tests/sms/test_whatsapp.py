"""WhatsApp through Twilio: whatsapp: prefixes both ways, the 24-hour window, templates."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from conversations.actions.delivery import do_claim_for_sending, do_mark_sent
from conversations.actions.ingest import do_record_inbound
from conversations.actions.reply import ReplyError, do_send_reply
from conversations.models import Interaction
from conversations.transports import ProviderResult, TransportError, get_transport
from tests.factories import inbound
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, STATUS_PATH, payload
from tests.twilio.fake import sent_sid
from tests.twilio.signing import post_signed

pytestmark = pytest.mark.django_db

TEMPLATE = {"content_sid": "HX" + "b" * 32, "variables": {"1": "Dana", "2": "1042"}}


def _whatsapp_from_customer(inbox, hours_ago):
    return do_record_inbound(inbound(
        inbox, "whatsapp", "phone", CUSTOMER, "Is it shipped?", provider_id="SM" + "c" * 32,
        occurred_at=timezone.now() - timedelta(hours=hours_ago), sender_name="Dana Reyes",
    ))


def _send(reply):
    do_claim_for_sending(reply.pk)
    return get_transport("whatsapp").send(Interaction.objects.get(pk=reply.pk))


def test_reply_inside_the_window_goes_out_with_whatsapp_prefixes(client, inbox, agent_a,
                                                                 fake_twilio):
    post_signed(client, INBOUND_PATH, payload("whatsapp_inbound"))
    conversation = Interaction.objects.get().conversation

    reply = do_send_reply(conversation=conversation, author=agent_a, text="Yes, this morning.")
    result = _send(reply)

    assert reply.channel == "whatsapp"
    [request] = fake_twilio.sends()
    assert request.data == {
        "To": "whatsapp:+14155550134",
        "From": "whatsapp:+15005550006",
        "Body": "Yes, this morning.",
        "StatusCallback": f"http://testserver/webhooks/twilio/messaging/status/?interaction={reply.pk}",
    }
    assert result.provider_id == sent_sid(1)


def test_separate_whatsapp_sender_sends_from_that_number(client, inbox, agent_a, fake_twilio):
    inbox.config = {**inbox.config, "whatsapp_sender": "+15005550007"}
    inbox.save()
    post_signed(client, INBOUND_PATH, payload("whatsapp_inbound", To="whatsapp:+15005550007"))

    reply = do_send_reply(conversation=Interaction.objects.get().conversation, author=agent_a,
                          text="Hi")
    _send(reply)

    assert fake_twilio.sends()[0].data["From"] == "whatsapp:+15005550007"


def test_free_text_after_the_window_closed_is_refused(inbox, agent_a):
    last = _whatsapp_from_customer(inbox, hours_ago=25)
    closes = (last.interaction.occurred_at + timedelta(hours=24)).astimezone(UTC)

    with pytest.raises(ReplyError) as refused:
        do_send_reply(conversation=last.conversation, author=agent_a, text="Sorry for the wait")

    assert str(refused.value) == (
        f"The WhatsApp 24-hour window closed at {closes:%Y-%m-%d %H:%M} UTC; "
        "send an approved template."
    )
    assert not Interaction.objects.filter(direction="out").exists()


def test_an_approved_template_may_be_sent_after_the_window(inbox, agent_a, fake_twilio):
    last = _whatsapp_from_customer(inbox, hours_ago=30)

    reply = do_send_reply(conversation=last.conversation, author=agent_a,
                          text="Hi Dana, an update on order 1042 is ready.",
                          meta={"whatsapp_template": TEMPLATE})
    _send(reply)

    [request] = fake_twilio.sends()
    assert request.data == {
        "To": "whatsapp:+14155550134",
        "From": "whatsapp:+15005550006",
        "ContentSid": TEMPLATE["content_sid"],
        "ContentVariables": json.dumps({"1": "Dana", "2": "1042"}),
        "StatusCallback": f"http://testserver/webhooks/twilio/messaging/status/?interaction={reply.pk}",
    }


@pytest.mark.parametrize("template", [
    {"content_sid": "HX123"}, {"content_sid": ""}, "HX" + "b" * 32,
    {"content_sid": "HX" + "b" * 32, "variables": ["Dana"]},
])
def test_a_malformed_template_is_refused(inbox, agent_a, template):
    last = _whatsapp_from_customer(inbox, hours_ago=30)
    with pytest.raises(ReplyError, match="whatsapp_template"):
        do_send_reply(conversation=last.conversation, author=agent_a, text="x",
                      meta={"whatsapp_template": template})


def test_whatsapp_to_someone_who_never_wrote_there_needs_a_template(client, inbox, agent_a):
    post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    conversation = Interaction.objects.get().conversation

    with pytest.raises(ReplyError) as refused:
        do_send_reply(conversation=conversation, author=agent_a, text="Hi", channel="whatsapp")

    assert str(refused.value) == (
        "The customer has not written to this WhatsApp number, so WhatsApp's 24-hour window "
        "is not open; send an approved template."
    )


def test_window_closing_between_queue_and_send_fails_the_send(inbox, agent_a, fake_twilio):
    last = _whatsapp_from_customer(inbox, hours_ago=23)
    reply = do_send_reply(conversation=last.conversation, author=agent_a, text="Almost there")
    # Two hours pass in the queue (a Twilio outage, say).
    Interaction.objects.filter(pk=last.interaction.pk).update(
        occurred_at=timezone.now() - timedelta(hours=25)
    )

    with pytest.raises(TransportError) as failed:
        _send(reply)

    assert failed.value.permanent
    assert failed.value.message.startswith("The WhatsApp 24-hour window closed at ")
    assert fake_twilio.sends() == []


def test_inbox_without_whatsapp_capability_refuses_whatsapp(inbox, agent_a):
    inbox.config = {**inbox.config, "capabilities": ["sms", "mms"]}
    inbox.save()
    last = _whatsapp_from_customer(inbox, hours_ago=1)
    with pytest.raises(ReplyError) as refused:
        do_send_reply(conversation=last.conversation, author=agent_a, text="Hi")
    assert str(refused.value) == "The inbox Support line is not set up for WhatsApp."


def test_read_receipt_moves_the_reply_to_read(client, inbox, agent_a):
    last = _whatsapp_from_customer(inbox, hours_ago=1)
    reply = do_send_reply(conversation=last.conversation, author=agent_a, text="Done")
    do_claim_for_sending(reply.pk)
    do_mark_sent(reply.pk, ProviderResult(provider_id="SM" + "a" * 32))

    response = post_signed(client, f"{STATUS_PATH}?interaction={reply.pk}",
                           payload("whatsapp_status_read"))

    assert response.status_code == 204
    reply.refresh_from_db()
    assert reply.status == "read"
