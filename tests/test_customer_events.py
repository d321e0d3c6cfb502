"""A customer edit publishes `customer.updated` with the customer's full state, to staff
and to whoever may see one of the customer's conversations, and to nobody else."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Inbox
from customers.actions.profile import (
    do_add_identity,
    do_create_customer,
    do_remove_identity,
    do_update_customer,
)
from customers.models import Customer
from customers.payloads import customer_payload
from realtime.models import RealtimeEvent, RealtimeEventGroup
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for


def _published():
    return [(e.name, e.payload["id"], sorted(e.groups.values_list("group", flat=True)))
            for e in RealtimeEvent.objects.filter(name="customer.updated").order_by("id")]


@pytest.fixture
def ana(db, twilio_inbox, team_b, agent_b, lead):
    """Ana has a Team A conversation and a no-team one assigned to agent_b."""
    first = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "hi",
                                      provider_id="SM-ev1", sender_name="Ana Lima"))
    other_inbox = Inbox.objects.create(kind="email", name="No team", slug="no-team",
                                       address="none@omnidesk.test")
    do_add_identity(first.conversation.customer, "email", "ana@example.com")
    second = do_record_inbound(inbound(other_inbox, "email", "email", "ana@example.com", "x",
                                       provider_id="<ev2@x>", use_continuity=False))
    do_update_conversation(second.conversation, by=lead, changes={"assignee": agent_b})
    RealtimeEventGroup.objects.all().delete()
    RealtimeEvent.objects.all().delete()
    return first.conversation.customer


def test_profile_and_identity_edits_publish_the_full_customer(ana, team_a, agent_b):
    do_update_customer(ana, notes="Call after 5pm")
    identity = do_add_identity(ana, "phone", "+1 415 555 0199")
    do_add_identity(ana, "phone", "+14155550199")  # already hers: nothing changed
    do_remove_identity(ana, identity.pk)
    groups = sorted([f"agent.{agent_b.pk}", "staff", f"team.{team_a.pk}"])
    assert _published() == [("customer.updated", ana.pk, groups)] * 3
    events = RealtimeEvent.objects.filter(name="customer.updated").order_by("id")
    ana = Customer.objects.prefetch_related("identities").get(pk=ana.pk)
    assert events[0].payload["notes"] == "Call after 5pm"
    assert "+14155550199" in [i["value"] for i in events[1].payload["identities"]]
    assert events[2].payload == customer_payload(ana)


def test_a_new_customer_publishes_nothing_yet(db):
    do_create_customer(identities=[("email", "new@example.com")], name="New")
    assert _published() == []


@pytest.mark.django_db(transaction=True)
def test_the_event_reaches_a_team_agent_and_not_another_team(twilio_inbox, agent_a, agent_b):
    customer = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "hi",
                                         provider_id="SM-ev9")).conversation.customer

    cookie_a, cookie_b = session_cookie_for(agent_a), session_cookie_for(agent_b)

    async def scenario() -> None:
        sock_a = await connect_agent_socket(cookie_a)
        sock_b = await connect_agent_socket(cookie_b)
        assert (await sock_a.connect())[0] and (await sock_b.connect())[0]
        assert (await sock_a.receive_json_from())["type"] == "hello"
        assert (await sock_b.receive_json_from())["type"] == "hello"
        await sync_to_async(do_update_customer)(customer, name="Ana Lima")
        [event] = await receive_events(sock_a, 1)
        assert (event["event"], event["data"]["id"], event["data"]["name"]) == (
            "customer.updated", customer.pk, "Ana Lima")
        assert await sock_b.receive_nothing(timeout=1.0)
        await sock_a.disconnect()
        await sock_b.disconnect()

    asyncio.run(scenario())
