"""Twilio out of reach during a voice REST call (place, transfer, offer or cancel a
leg): a clear 503 answer to the agent, or a worker's retry; never a 500."""

from __future__ import annotations

import pytest
import requests

from conversations.actions.ingest import do_record_inbound
from conversations.models import Interaction
from customers.actions.profile import do_add_identity
from tests.factories import inbound
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload
from tests.waiting import wait_for

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
LEG = "CA9e8d7c6b5a49382716f5e4d3c2b1a0f9"


@pytest.fixture
def conversation(email_inbox):
    result = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                       "Please call me", provider_id="<c1@example.com>"))
    do_add_identity(result.conversation.customer, "phone", "+14155550134")
    return result.conversation


@pytest.fixture
def live_call(web, twilio_inbox, online_agent_a):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    post_signed(web, hook("status"), payload("status_in_progress"))
    return Interaction.objects.get(provider_id=SID)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [
    requests.ConnectionError("Connection refused"),
    requests.ConnectTimeout("connect timed out"),
])
def test_click_to_call_with_twilio_unreachable_is_a_503_and_a_failed_call(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation, error
):
    fake_twilio.fail_next("call", error)
    response = client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk},
                                        format="json")
    assert response.status_code == 503, response.content
    assert response.json() == {"error": f"Could not reach Twilio: {error}"}
    call = Interaction.objects.get(kind="call")
    assert (call.status, call.meta["status"]) == ("failed", "failed")
    assert call.error == f"Could not reach Twilio: {error}"


@pytest.mark.django_db
def test_click_to_call_that_timed_out_says_the_call_may_have_been_placed(
    client_for, fake_twilio, twilio_inbox, agent_a, conversation
):
    fake_twilio.fail_next("call", requests.ReadTimeout("read timed out"))
    response = client_for(agent_a).post("/voice/calls/", {"conversation_id": conversation.pk},
                                        format="json")
    assert response.status_code == 503, response.content
    assert response.json()["error"] == (
        "Twilio did not answer in time; the call may or may not have been placed.")
    call = Interaction.objects.get(kind="call")
    assert (call.status, call.error) == ("failed", response.json()["error"])


@pytest.mark.django_db
def test_cold_transfer_with_twilio_unreachable_is_a_503(
    client_for, fake_twilio, live_call, online_agent_a, lead
):
    fake_twilio.fail_next("call_update", requests.ConnectionError("Connection refused"))
    response = client_for(online_agent_a).post(
        f"/voice/calls/{live_call.pk}/transfer/", {"agent_id": lead.pk}, format="json")
    assert response.status_code == 503, response.content
    assert response.json() == {"error": "Could not reach Twilio: Connection refused"}
    live_call.refresh_from_db()
    assert "transfers" not in live_call.meta
    assert not Interaction.objects.filter(event_type="call_transferred").exists()


@pytest.fixture
def taken_call(web, twilio_inbox, online_agent_a):
    """A queued call that agent_a took out of the queue (their leg is LEG)."""
    post_signed(web, hook("incoming"), payload("incoming_call"))
    post_signed(web, hook("status"), payload("status_in_progress"))
    call = Interaction.objects.get(provider_id=SID)
    joined = hook("agent-joined", twilio_inbox, call=call.pk, agent=online_agent_a.pk)
    post_signed(web, joined, payload("queue_agent_joined"))
    post_signed(web, hook("agent", twilio_inbox, call=call.pk, agent=online_agent_a.pk),
                payload("offer_leg_answered"))
    call.refresh_from_db()
    return call


@pytest.mark.django_db
def test_warm_transfer_with_twilio_unreachable_is_a_503(
    client_for, fake_twilio, taken_call, online_agent_a, lead
):
    fake_twilio.fail_next("call_update", requests.ConnectionError("Connection refused"))
    warm = {"mode": "warm", "agent_id": lead.pk}
    response = client_for(online_agent_a).post(
        f"/voice/calls/{taken_call.pk}/transfer/", warm, format="json")
    assert response.status_code == 503, response.content
    assert response.json() == {"error": "Could not reach Twilio: Connection refused"}
    taken_call.refresh_from_db()
    assert taken_call.meta["warm"]["status"] == "failed"
    assert Interaction.objects.filter(event_type="call_transferred").last().text == (
        "The warm transfer to lead failed: Could not reach Twilio: Connection refused")

    again = client_for(online_agent_a).post(
        f"/voice/calls/{taken_call.pk}/transfer/", warm, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["meta"]["warm"]["status"] == "started"


@pytest.mark.django_db
def test_completing_a_warm_transfer_with_twilio_unreachable_is_a_503(
    client_for, fake_twilio, web, twilio_inbox, taken_call, online_agent_a, lead
):
    started = client_for(online_agent_a).post(
        f"/voice/calls/{taken_call.pk}/transfer/", {"mode": "warm", "agent_id": lead.pk},
        format="json")
    assert started.status_code == 200, started.content
    to_leg = started.json()["meta"]["warm"]["to_leg"]
    post_signed(web, hook("agent", twilio_inbox, call=taken_call.pk, agent=lead.pk, transfer=1),
                payload("offer_leg_answered", CallSid=to_leg))
    fake_twilio.fail_next("call_update", requests.ConnectionError("Connection refused"))
    response = client_for(online_agent_a).post(
        f"/voice/calls/{taken_call.pk}/transfer/complete/", format="json")
    assert response.status_code == 503, response.content
    assert response.json() == {"error": "Could not reach Twilio: Connection refused"}
    taken_call.refresh_from_db()
    assert taken_call.meta["warm"]["status"] == "started"


@pytest.mark.slow
def test_offering_a_call_is_retried_when_twilio_is_unreachable(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a
):
    fake_twilio.fail_next("call", requests.ConnectionError("Connection refused"))
    post_signed(web, hook("incoming"), payload("incoming_call"))
    call = Interaction.objects.get(provider_id=SID)

    def offered():
        call.refresh_from_db()
        return call.meta.get("legs")

    [leg] = wait_for(offered).values()
    assert (leg["agent_id"], leg["offer"]) == (online_agent_a.pk, True)
    assert len(fake_twilio.calls_created()) == 2  # the one that failed, and the retry


@pytest.mark.slow
def test_cancelling_offers_is_retried_when_twilio_is_unreachable(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a, online_agent_c
):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    call = Interaction.objects.get(provider_id=SID)

    def legs():
        call.refresh_from_db()
        return len(call.meta.get("legs", {})) == 2 and call.meta["legs"]

    placed = wait_for(legs)
    fake_twilio.fail_next("call_update", requests.ConnectionError("Connection refused"))
    post_signed(web, hook("after-queue", twilio_inbox, call=call.pk), payload("queue_left"))

    def cancelled():
        return {r.url.rsplit("/", 1)[-1][:-5] for r in fake_twilio.requests
                if r.method == "POST" and "/Calls/" in r.url and r.data.get("Status")}

    wait_for(lambda: cancelled() == set(placed))
