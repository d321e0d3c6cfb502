"""An agent's SMS reply goes out through the twilio client, sent by the real worker, and
Twilio's status callbacks move it forward, never backward."""

from __future__ import annotations

import pytest

from conversations.actions.delivery import do_claim_for_sending, do_mark_sent
from conversations.actions.reply import do_send_reply
from conversations.models import Interaction
from conversations.transports import ProviderResult
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, STATUS_PATH, payload
from tests.twilio import ACCOUNT_SID, AUTH_TOKEN
from tests.twilio.fake import sent_sid
from tests.twilio.signing import post_signed
from tests.waiting import wait_for

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SID = "SM" + "a" * 32  # the SID in the status callback payload files


def _conversation(client):
    assert post_signed(client, INBOUND_PATH, payload("sms_inbound")).status_code == 200
    return Interaction.objects.get(kind="message").conversation


def _status(client, name, reply, **overrides):
    path = f"{STATUS_PATH}?interaction={reply.pk}"
    response = post_signed(client, path, payload(name, **overrides))
    assert response.status_code == 204
    reply.refresh_from_db()
    return reply.status


def _sent_reply(client, agent):
    """A reply the worker already handed to Twilio as SID (no worker needed)."""
    reply = do_send_reply(conversation=_conversation(client), author=agent, text="On its way")
    do_claim_for_sending(reply.pk)
    do_mark_sent(reply.pk, ProviderResult(provider_id=SID))
    reply.refresh_from_db()
    return reply


@pytest.mark.django_db(transaction=True)
def test_reply_is_sent_by_the_worker_and_delivered(client, inbox, agent_a, fake_twilio,
                                                   celery_worker):
    conversation = _conversation(client)

    reply = do_send_reply(conversation=conversation, author=agent_a, text="Your order ships today.")

    wait_for(lambda: Interaction.objects.get(pk=reply.pk).status == "sent")
    [request] = fake_twilio.sends()
    assert request.method == "POST"
    assert request.url == MESSAGES_URL
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.data == {
        "To": CUSTOMER,
        "From": "+15005550006",
        "Body": "Your order ships today.",
        "StatusCallback": f"http://testserver/webhooks/twilio/messaging/status/?interaction={reply.pk}",
    }
    reply.refresh_from_db()
    assert reply.provider_id == sent_sid(1)
    assert reply.meta["to"] == CUSTOMER

    sid = reply.provider_id
    assert _status(client, "status_sent", reply, sid=sid) == "sent"
    assert _status(client, "status_delivered", reply, sid=sid) == "delivered"
    assert reply.error == ""


@pytest.mark.django_db
def test_delivered_before_sent_and_repeats_stay_delivered(client, inbox, agent_a):
    reply = _sent_reply(client, agent_a)
    assert _status(client, "status_delivered", reply) == "delivered"
    assert _status(client, "status_sent", reply) == "delivered"
    assert _status(client, "status_delivered", reply) == "delivered"
    assert _status(client, "status_sent", reply, MessageStatus="queued", SmsStatus="queued") == (
        "delivered"
    )


@pytest.mark.django_db
def test_undelivered_fails_with_the_error_code_explained(client, inbox, agent_a):
    reply = _sent_reply(client, agent_a)
    assert _status(client, "status_undelivered", reply) == "failed"
    assert reply.error == (
        "Twilio error 30003: Unreachable destination handset: the phone is off, out of "
        "coverage or cannot receive messages. (https://www.twilio.com/docs/errors/30003)"
    )
    assert reply.meta["twilio_error_code"] == "30003"
    assert reply.meta["twilio_status"] == "undelivered"
    # A late "delivered" from a confused carrier does not hide the failure.
    assert _status(client, "status_delivered", reply) == "failed"


@pytest.mark.django_db
def test_unknown_error_code_still_shows_code_and_link(client, inbox, agent_a):
    reply = _sent_reply(client, agent_a)
    assert _status(client, "status_undelivered", reply, ErrorCode="30999") == "failed"
    assert reply.error == (
        "Twilio error 30999: Twilio reported an error. (https://www.twilio.com/docs/errors/30999)"
    )


@pytest.mark.django_db
def test_callback_that_outruns_the_worker_still_applies(client, inbox, agent_a):
    reply = do_send_reply(conversation=_conversation(client), author=agent_a, text="On its way")
    do_claim_for_sending(reply.pk)  # Twilio accepted it; our worker has not recorded the SID

    assert _status(client, "status_delivered", reply) == "delivered"
    assert reply.provider_id == SID
    do_mark_sent(reply.pk, ProviderResult(provider_id=SID))  # the worker catches up
    reply.refresh_from_db()
    assert (reply.status, reply.provider_id) == ("delivered", SID)


@pytest.mark.django_db
def test_callback_for_a_message_we_never_sent_changes_nothing(client, inbox, agent_a):
    reply = _sent_reply(client, agent_a)
    response = post_signed(client, STATUS_PATH, payload("status_delivered", sid="SM" + "b" * 32))
    assert response.status_code == 204
    reply.refresh_from_db()
    assert reply.status == "sent"


@pytest.mark.django_db
def test_reply_through_a_messaging_service(client, inbox, agent_a, fake_twilio):
    from conversations.transports import get_transport

    service = "MG" + "1" * 32
    inbox.config = {**inbox.config, "messaging_service_sid": service}
    inbox.save()
    reply = do_send_reply(conversation=_conversation(client), author=agent_a, text="Hello")

    result = get_transport("sms").send(Interaction.objects.get(pk=reply.pk))

    [request] = fake_twilio.sends()
    assert request.data["MessagingServiceSid"] == service
    assert "From" not in request.data
    assert result.provider_id == sent_sid(1)
    # Its status callbacks come From a pool number; the service names the inbox.
    do_mark_sent(reply.pk, ProviderResult(provider_id=result.provider_id))
    params = payload("status_delivered", sid=result.provider_id, From="+15005550099",
                     MessagingServiceSid=service)
    assert post_signed(client, STATUS_PATH, params).status_code == 204
    reply.refresh_from_db()
    assert reply.status == "delivered"
