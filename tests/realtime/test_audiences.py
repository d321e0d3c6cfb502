"""Exact audiences at the chokepoint: an event for one agent reaches that agent only, and
nothing agent-only or internal can be addressed to a chat visitor."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.actions.timeline import record_event
from conversations.payloads import interaction_payload
from realtime import events
from realtime.audience import Audience
from realtime.models import RealtimeEvent, RealtimeEventGroup
from realtime.publish import AudienceError, Event, publish, publish_many
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for


def test_each_audience_names_exactly_its_groups():
    assert Audience.agent(7).groups() == ["agent.7"]
    assert Audience.team(3).groups() == ["team.3"]
    assert Audience.staff_only().groups() == ["staff"]
    assert Audience.visitor("v_9f3-A").groups() == ["visitor.v_9f3-A"]
    # `of` keeps meaning staff + these teams + these agents (a conversation's events).
    assert Audience.of([2, None, 1], [None, 5]).groups() == ["staff", "team.1", "team.2", "agent.5"]
    combined = Audience.agent(5) | Audience.team(1) | Audience.visitor("abc") | Audience.agent(5)
    assert combined.groups() == ["team.1", "agent.5", "visitor.abc"]
    assert (Audience.agent(5) | Audience.staff_only()).groups() == ["staff", "agent.5"]


@pytest.mark.parametrize("bad", ["", "a b", "a.b", "é", "x" * 65, "../staff"])
def test_a_visitor_id_that_cannot_name_a_group_is_refused(bad):
    with pytest.raises(ValueError, match="visitor id"):
        Audience.visitor(bad)


def test_no_event_name_is_both_agent_only_and_visitor_safe():
    assert events.AGENT_ONLY.isdisjoint(events.VISITOR_SAFE)
    assert events.ALL == events.AGENT_ONLY | events.VISITOR_SAFE


@pytest.mark.django_db
def test_event_rows_store_their_exact_audience(agent_a, team_a):
    with transaction.atomic():
        ringing = publish(events.CALL_RINGING, {"call": 1}, Audience.agent(agent_a.pk))
        note = publish(events.CONVERSATION_UPDATED, {"id": 1}, Audience.of([team_a.pk]))
    rows = RealtimeEventGroup.objects.order_by("event_id", "group").values_list("event_id", "group")
    assert list(rows) == [
        (ringing.pk, f"agent.{agent_a.pk}"),
        (note.pk, "staff"),
        (note.pk, f"team.{team_a.pk}"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_lead_does_not_receive_another_agents_call_ringing(lead, agent_a, agent_b):
    cookies = [session_cookie_for(user) for user in (lead, agent_a, agent_b)]

    def ring_agent_a() -> int:
        with transaction.atomic():
            return publish(
                events.CALL_RINGING, {"call": {"call_sid": "CA1"}}, Audience.agent(agent_a.pk)
            ).pk

    def tell_staff() -> int:
        with transaction.atomic():
            return publish(events.CUSTOMER_UPDATED, {"id": 1}, Audience.staff_only()).pk

    async def scenario() -> None:
        sock_lead, sock_a, sock_b = [await connect_agent_socket(c) for c in cookies]
        for sock in (sock_lead, sock_a, sock_b):
            assert (await sock.connect())[0]
            assert (await sock.receive_json_from())["type"] == "hello"
        ringing_id = await sync_to_async(ring_agent_a)()
        [ringing] = await receive_events(sock_a, 1)
        assert (ringing["id"], ringing["event"], ringing["data"]) == (
            ringing_id, "call.ringing", {"call": {"call_sid": "CA1"}})
        # A staff-only event after it: the lead's first event is that one, not the call.
        staff_id = await sync_to_async(tell_staff)()
        [first] = await receive_events(sock_lead, 1)
        assert (first["id"], first["event"]) == (staff_id, "customer.updated")
        assert await sock_a.receive_nothing(timeout=0.5)
        assert await sock_b.receive_nothing(timeout=0.5)
        for sock in (sock_lead, sock_a, sock_b):
            await sock.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(events.AGENT_ONLY))
def test_an_agent_only_event_cannot_reach_a_visitor(name, agent_a):
    for audience in (Audience.visitor("v1"), Audience.agent(agent_a.pk) | Audience.visitor("v1")):
        with pytest.raises(AudienceError, match="agents only"):
            publish(name, {"id": 1}, audience)
    assert not RealtimeEvent.objects.exists()


@pytest.fixture
def chat_message(chat_inbox):
    return do_record_inbound(
        inbound(chat_inbox, "chat", "chat", "v1", "Hello?", provider_id="c-1")
    ).interaction


@pytest.mark.django_db
def test_a_note_or_system_event_cannot_reach_a_visitor(chat_message, agent_a):
    conversation = chat_message.conversation
    note = do_add_note(conversation=conversation, author=agent_a, text="VIP, refund quietly")
    with transaction.atomic():
        system = record_event(conversation, "status_changed", "Resolved by agent_a", by=agent_a)
    before = RealtimeEvent.objects.count()
    visitor = Audience.visitor("v1")
    for internal in (note, system):
        with pytest.raises(AudienceError, match="internal"):
            publish(events.INTERACTION_CREATED, interaction_payload(internal, []), visitor)
    # Nested anywhere in a payload, and in a batch with a safe event: nothing is written.
    nested = {"items": [interaction_payload(chat_message, []), interaction_payload(note, [])]}
    with pytest.raises(AudienceError, match="internal"):
        publish_many([
            Event(events.INTERACTION_CREATED, interaction_payload(chat_message, []), visitor),
            Event(events.INTERACTION_UPDATED, nested, visitor),
        ])
    assert RealtimeEvent.objects.count() == before


@pytest.mark.django_db
def test_a_customer_message_may_reach_a_visitor_with_the_agents(chat_message, team_a):
    audience = Audience.of([team_a.pk]) | Audience.visitor("v1")
    with transaction.atomic():
        row = publish(events.INTERACTION_CREATED, interaction_payload(chat_message, []), audience)
    assert row.payload["text"] == "Hello?"
    assert sorted(row.groups.values_list("group", flat=True)) == [
        "staff", f"team.{team_a.pk}", "visitor.v1"]


@pytest.mark.django_db
def test_an_unknown_event_or_an_empty_audience_is_refused():
    with pytest.raises(ValueError, match="unknown realtime event"):
        publish("conversation.deleted", {}, Audience.staff_only())
    with pytest.raises(AudienceError, match="nobody"):
        publish(events.CONVERSATION_UPDATED, {}, Audience())
