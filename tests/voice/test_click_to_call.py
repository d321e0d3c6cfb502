"""Click-to-call places the call through the twilio client, recorded as an outbound call."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from conversations.actions.ingest import do_record_inbound
from conversations.models import Interaction
from customers.actions.profile import do_add_identity
from tests.factories import inbound
from tests.twilio import ACCOUNT_SID
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(email_inbox):
    result = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                       "Please call me", provider_id="<c1@example.com>"))
    do_add_identity(result.conversation.customer, "phone", "+14155550134")
    return result.conversation


def test_click_to_call_places_the_call_with_a_status_callback(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation
):
    response = client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk},
                                        format="json")
    assert response.status_code == 201, response.content
    [sent] = fake_twilio.calls_created()
    assert sent.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    call = Interaction.objects.get(kind="call")
    assert sent.data["To"] == "+14155550134"
    assert sent.data["From"] == "+15005550006"
    assert sent.data["StatusCallback"] == (
        f"http://testserver/webhooks/twilio/voice/status/?inbox=support-line&interaction={call.pk}")
    assert sent.data["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert parse_qs(urlparse(sent.data["Url"]).query) == {
        "inbox": ["support-line"], "interaction": [str(call.pk)], "agent": [str(agent_a.pk)]}
    assert sent.auth == (ACCOUNT_SID, "12345678901234567890123456789012")
    assert response.json()["id"] == call.pk
    assert (call.direction, call.channel, call.status, call.author_agent) == (
        "out", "voice", "sent", agent_a)
    assert call.conversation == conversation
    assert call.provider_id.startswith("CA")
    assert call.meta["to"] == "+14155550134" and call.meta["from"] == "+15005550006"
    assert call.meta["status"] == "queued"


def test_outbound_call_is_completed_by_its_callbacks(
    client_for, fake_twilio, web, twilio_inbox, agent_a, conversation
):
    client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk}, format="json")
    call = Interaction.objects.get(kind="call")
    sid = call.provider_id
    out = {"CallSid": sid, "Direction": "outbound-api", "From": "+15005550006",
           "To": "+14155550134"}
    outbound = hook("outbound", twilio_inbox, interaction=call.pk, agent=agent_a.pk)
    answered = post_signed(web, outbound, payload("status_in_progress", **out))
    assert answered.status_code == 200
    assert b"<Identity>agent_a</Identity>" in answered.content
    for name in ("status_completed", "status_ringing"):
        post_signed(web, hook("status", twilio_inbox, interaction=call.pk), payload(name, **out))
    call.refresh_from_db()
    assert Interaction.objects.filter(kind="call").count() == 1
    assert call.meta["status"] == "completed"
    assert call.meta["duration_seconds"] == 124


def test_busy_customer_is_the_calls_outcome(
    client_for, fake_twilio, web, twilio_inbox, agent_a, conversation
):
    client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk}, format="json")
    call = Interaction.objects.get(kind="call")
    busy = payload("status_completed", CallSid=call.provider_id, Direction="outbound-api",
                   CallStatus="busy", CallDuration="0", From="+15005550006", To="+14155550134")
    post_signed(web, hook("status", twilio_inbox, interaction=call.pk), busy)
    call.refresh_from_db()
    assert (call.meta["status"], call.meta["outcome"]) == ("busy", "busy")


def test_only_the_customers_own_numbers_can_be_called(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation
):
    response = client_for(agent_a).post(
        "/voice/calls/", {"conversation_id": conversation.pk, "to": "+19005550100"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"error": "That number is not one of the customer's phone numbers."}
    assert fake_twilio.requests == []
    assert Interaction.objects.filter(kind="call").count() == 0


def test_a_conversation_of_another_team_is_not_found(
    client_for, fake_twilio, twilio_inbox, agent_b, conversation
):
    response = client_for(agent_b).post("/voice/calls/", {"conversation_id": conversation.pk},
                                        format="json")
    assert response.status_code == 404
    assert fake_twilio.requests == []


def test_click_to_call_by_customer_uses_their_open_conversation(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation
):
    response = client_for(agent_a).post(
        "/voice/calls/", {"customer_id": conversation.customer_id}, format="json")
    assert response.status_code == 201
    assert Interaction.objects.get(kind="call").conversation == conversation


def test_twilio_refusing_the_call_marks_it_failed(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation
):
    invalid = "The 'To' number is not a valid phone number."
    fake_twilio.fail_next("call", (400, {"code": 21211, "status": 400, "message": invalid}))
    response = client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk},
                                        format="json")
    assert response.status_code == 502
    explained = ("Twilio error 21211: Invalid 'To' number: it is not a valid phone number. "
                 "(https://www.twilio.com/docs/errors/21211)")
    assert response.json() == {"error": explained}
    call = Interaction.objects.get(kind="call")
    assert (call.status, call.error, call.meta["status"]) == ("failed", explained, "failed")
