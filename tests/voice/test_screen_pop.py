"""While a call rings for an agent, their websocket gets the caller and their history."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from conversations.actions.ingest import do_record_inbound
from customers.actions.profile import do_add_identity
from realtime.consumers import AgentConsumer
from realtime.models import RealtimeEvent
from tests.factories import inbound
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload


def _listen_while_calling(user, web):
    async def scenario():
        communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        response = await sync_to_async(post_signed)(web, hook("incoming"), payload("incoming_call"))
        assert response.status_code == 200
        received = []
        while True:
            message = await communicator.receive_json_from(timeout=10)
            received.append(message["event"])
            if message["event"] == "call.ringing":
                await communicator.disconnect()
                return message["data"], received

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_ringing_agent_receives_the_caller_with_recent_history(
    web, twilio_inbox, email_inbox, online_agent_a, agent_b
):
    agent_b.agent.presence = "online"  # online, but in another team: not rung
    agent_b.agent.save()
    email = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                      "My order #1042 is late", provider_id="<m1@example.com>",
                                      subject="Order 1042", sender_name="Dana Reyes"))
    customer = email.conversation.customer
    do_add_identity(customer, "phone", "+1 415 555 0134")
    sms = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550134",
                                    "Any news?", provider_id="SM1"))

    data, _ = _listen_while_calling(online_agent_a, web)

    assert data["customer"]["id"] == customer.pk
    assert data["customer"]["name"] == "Dana Reyes"
    assert {(i["kind"], i["value"]) for i in data["customer"]["identities"]} == {
        ("email", "dana@example.com"), ("phone", "+14155550134")}
    assert [(h["id"], h["channel"], h["text"]) for h in data["history"]] == [
        (sms.interaction.pk, "sms", "Any news?"),
        (email.interaction.pk, "email", "My order #1042 is late"),
    ]
    assert data["call"]["call_sid"] == "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
    assert data["call"]["from"] == "+14155550134"
    assert data["conversation"]["id"] == email.conversation.pk
    pops = RealtimeEvent.objects.filter(name="call.ringing")
    # The agent the call rings, and nobody else: not the leads, not the team.
    assert [sorted(p.groups.values_list("group", flat=True)) for p in pops] == [
        [f"agent.{online_agent_a.pk}"]]


@pytest.mark.django_db(transaction=True)
def test_unknown_number_pops_a_new_customer_with_that_phone(web, twilio_inbox, online_agent_a):
    data, _ = _listen_while_calling(online_agent_a, web)
    assert [(i["kind"], i["value"], i["verified"]) for i in data["customer"]["identities"]] == [
        ("phone", "+14155550134", True)]
    assert data["history"] == []
