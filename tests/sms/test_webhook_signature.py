"""Only requests Twilio signed for the inbox they name are recorded."""

from __future__ import annotations

import pytest

from conversations.models import Interaction
from customers.models import Customer
from tests.sms.conftest import INBOUND_PATH, STATUS_PATH, payload
from tests.twilio.signing import post_signed, sign

pytestmark = pytest.mark.django_db


def test_signed_sms_is_accepted_with_empty_twiml(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert list(Interaction.objects.values_list("text", flat=True)) == ["Any news on order 1042?"]


def test_unsigned_request_is_refused_and_nothing_recorded(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("sms_inbound"), signature="")
    assert response.status_code == 403
    assert not Interaction.objects.exists()
    assert not Customer.objects.exists()


def test_tampered_parameter_is_refused(client, inbox):
    params = payload("sms_inbound")
    signature = sign(params, f"http://testserver{INBOUND_PATH}")
    params["Body"] = "Please refund me to account 1234"
    response = post_signed(client, INBOUND_PATH, params, signature=signature)
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_signature_for_another_url_is_refused(client, inbox):
    params = payload("sms_inbound")
    response = post_signed(client, INBOUND_PATH, params,
                           signed_url="https://elsewhere.example.com/webhooks/twilio/messaging/")
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_signature_with_another_accounts_token_is_refused(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("sms_inbound"), token="f" * 32)
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_message_to_a_number_no_inbox_owns_is_refused(client, inbox):
    response = post_signed(client, INBOUND_PATH, payload("sms_inbound", To="+15005550009"))
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_get_is_not_allowed(client, inbox):
    assert client.get(INBOUND_PATH).status_code == 405


def test_unsigned_status_callback_changes_nothing(client, inbox, fake_twilio, agent_a):
    from conversations.actions.delivery import do_mark_sent
    from conversations.actions.reply import do_send_reply
    from conversations.transports import ProviderResult

    post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    conversation = Interaction.objects.get().conversation
    reply = do_send_reply(conversation=conversation, author=agent_a, text="On its way")
    do_mark_sent(reply.pk, ProviderResult(provider_id="SM" + "a" * 32))
    params = payload("status_delivered")
    tampered = post_signed(client, STATUS_PATH, params, signature=sign(
        {**params, "MessageStatus": "sent"}, f"http://testserver{STATUS_PATH}"))
    unsigned = post_signed(client, STATUS_PATH, params, signature="")
    assert (tampered.status_code, unsigned.status_code) == (403, 403)
    reply.refresh_from_db()
    assert reply.status == "sent"
