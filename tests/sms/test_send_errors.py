"""Twilio's refusals become clear errors: 4xx permanent with the code explained;
5xx, 429 and connection failures temporary (the send task retries them)."""

from __future__ import annotations

import pytest
import requests

from conversations.actions.delivery import do_claim_for_sending
from conversations.actions.reply import do_send_reply
from conversations.models import Interaction
from conversations.transports import TransportError, get_transport
from tests.sms.conftest import INBOUND_PATH, payload
from tests.twilio.signing import post_signed
from tests.waiting import wait_for


def _queued_reply(client, agent):
    post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    conversation = Interaction.objects.get(kind="message").conversation
    return do_send_reply(conversation=conversation, author=agent, text="Hello")


def _send(reply):
    do_claim_for_sending(reply.pk)
    return get_transport("sms").send(Interaction.objects.get(pk=reply.pk))


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "code", "message", "expected"), [
    (400, 21211, "The 'To' number +14155550134 is not a valid phone number.",
     "Twilio error 21211: Invalid 'To' number: it is not a valid phone number. "
     "(https://www.twilio.com/docs/errors/21211)"),
    (400, 21610, "Attempt to send to unsubscribed recipient",
     "Twilio error 21610: Unsubscribed recipient: the customer replied STOP to this number; "
     "they must text START before they can receive messages again. "
     "(https://www.twilio.com/docs/errors/21610)"),
    (400, 21614, "'To' number is not a valid mobile number",
     "Twilio error 21614: The 'To' number is not a mobile number, so it cannot receive text "
     "messages. (https://www.twilio.com/docs/errors/21614)"),
    (401, 20003, "Authenticate",
     "Twilio error 20003: Twilio refused the credentials: check the inbox's account SID and "
     "auth token. (https://www.twilio.com/docs/errors/20003)"),
    (400, 21999, "Some new validation rule",
     "Twilio error 21999: Unable to create record: Some new validation rule "
     "(https://www.twilio.com/docs/errors/21999)"),
])
def test_client_errors_are_permanent_and_explained(client, inbox, agent_a, fake_twilio,
                                                   twilio_error, status, code, message, expected):
    fake_twilio.fail_next("message", twilio_error(status, code, message))
    with pytest.raises(TransportError) as failed:
        _send(_queued_reply(client, agent_a))
    assert failed.value.permanent
    assert failed.value.message == expected


@pytest.mark.django_db
def test_rate_limit_is_temporary(client, inbox, agent_a, fake_twilio, twilio_error):
    fake_twilio.fail_next("message", twilio_error(429, 20429, "Too Many Requests"))
    with pytest.raises(TransportError) as failed:
        _send(_queued_reply(client, agent_a))
    assert not failed.value.permanent
    assert failed.value.message == (
        "Twilio is unavailable (HTTP 429): Twilio error 20429: Too many requests to Twilio at "
        "once. (https://www.twilio.com/docs/errors/20429)"
    )


@pytest.mark.django_db
def test_server_error_without_a_twilio_code_is_temporary(client, inbox, agent_a, fake_twilio):
    fake_twilio.fail_next("message", (503, {"message": "Service Unavailable", "status": 503}))
    with pytest.raises(TransportError) as failed:
        _send(_queued_reply(client, agent_a))
    assert not failed.value.permanent
    assert failed.value.message == (
        "Twilio is unavailable (HTTP 503): Unable to create record: Service Unavailable"
    )


@pytest.mark.django_db
def test_connection_failure_is_temporary(client, inbox, agent_a, fake_twilio):
    fake_twilio.fail_next("message", requests.ConnectionError("Connection refused"))
    with pytest.raises(TransportError) as failed:
        _send(_queued_reply(client, agent_a))
    assert not failed.value.permanent
    assert failed.value.message == "Could not reach Twilio: Connection refused"


@pytest.mark.django_db
def test_an_unanswered_send_is_not_retried_blindly(client, inbox, agent_a, fake_twilio):
    fake_twilio.fail_next("message", requests.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as failed:
        _send(_queued_reply(client, agent_a))
    assert failed.value.permanent
    assert failed.value.message.startswith("Twilio did not answer in time; the message may or")


@pytest.mark.django_db(transaction=True)
def test_worker_marks_a_refused_send_failed_with_the_explanation(client, inbox, agent_a,
                                                                fake_twilio, twilio_error,
                                                                celery_worker):
    fake_twilio.fail_next("message", twilio_error(400, 21211, "Invalid To"))
    reply = _queued_reply(client, agent_a)

    wait_for(lambda: Interaction.objects.get(pk=reply.pk).status == "failed")

    reply.refresh_from_db()
    assert reply.error.startswith("Twilio error 21211: Invalid 'To' number")
    assert reply.provider_id is None
    assert len(fake_twilio.sends()) == 1
