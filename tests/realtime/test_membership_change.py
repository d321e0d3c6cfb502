"""A socket follows its agent's teams and role as they change, without reconnecting; the
admin changes them through the action."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client

from agents.actions.roles import do_set_agent_role, do_set_agent_teams
from realtime import events
from realtime.audience import Audience
from realtime.models import RealtimeEvent
from realtime.publish import publish
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for


def _tell(audience: Audience, label: str) -> int:
    with transaction.atomic():
        return publish(events.CONVERSATION_UPDATED, {"label": label}, audience).pk


@pytest.mark.django_db(transaction=True)
def test_a_socket_starts_and_stops_receiving_a_team_as_membership_changes(
    agent_a, team_a, team_b, lead
):
    cookie = session_cookie_for(agent_a)
    agent = agent_a.agent

    async def next_label(sock) -> str:
        [event] = await receive_events(sock, 1)
        return event["data"]["label"] if event["event"] != "agent.updated" else "agent.updated"

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        await sync_to_async(_tell)(Audience.team(team_b.pk), "B before")
        await sync_to_async(_tell)(Audience.team(team_a.pk), "A before")
        assert await next_label(sock) == "A before"

        await sync_to_async(do_set_agent_teams)(agent, [team_a, team_b], by=lead)
        [updated] = await receive_events(sock, 1)
        assert (updated["event"], updated["data"]["team_ids"]) == (
            "agent.updated", sorted([team_a.pk, team_b.pk]))
        await sync_to_async(_tell)(Audience.team(team_b.pk), "B while a member")
        assert await next_label(sock) == "B while a member"

        await sync_to_async(do_set_agent_teams)(agent, [team_b], by=lead)
        assert await next_label(sock) == "agent.updated"
        await sync_to_async(_tell)(Audience.team(team_a.pk), "A after leaving")
        await sync_to_async(_tell)(Audience.team(team_b.pk), "B still")
        assert await next_label(sock) == "B still"
        assert await sock.receive_nothing(timeout=0.5)

        # Promoted to lead: staff events reach the same socket.
        await sync_to_async(do_set_agent_role)(agent, "lead", by=lead)
        assert await next_label(sock) == "agent.updated"
        await sync_to_async(_tell)(Audience.staff_only(), "staff")
        assert await next_label(sock) == "staff"
        await sock.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_events_of_a_new_team_published_before_the_socket_rejoined_are_sent(
    agent_a, team_a, team_b, lead
):
    cookie = session_cookie_for(agent_a)

    def join_b_and_publish_at_once() -> int:
        with transaction.atomic():
            do_set_agent_teams(agent_a.agent, [team_a, team_b], by=lead)
            return publish(events.CONVERSATION_UPDATED, {"label": "B"}, Audience.team(team_b.pk)).pk

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        b_event = await sync_to_async(join_b_and_publish_at_once)()
        received = await receive_events(sock, 2)
        assert [(e["event"], e["id"]) for e in received][1] == ("conversation.updated", b_event)
        assert received[0]["event"] == "agent.updated"
        assert await sock.receive_nothing(timeout=0.5)  # sent once, not again when live
        await sock.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_an_agent_removed_while_connected_is_closed(agent_a, lead):
    cookie = session_cookie_for(agent_a)

    def deactivate_and_tell() -> None:
        agent_a.is_active = False
        agent_a.save()
        with transaction.atomic():
            do_set_agent_teams(agent_a.agent, [], by=lead)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        await sync_to_async(deactivate_and_tell)()
        assert (await sock.receive_json_from())["event"] == "agent.updated"
        assert await sock.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}

    asyncio.run(scenario())


@pytest.mark.django_db
def test_the_admin_changes_teams_and_role_through_the_action(agent_a, team_a, team_b):
    root = type(agent_a).objects.create_superuser("root", "root@example.test", "pw-root-123")
    client = Client()
    client.force_login(root)
    agent = agent_a.agent
    url = f"/admin/agents/agent/{agent.pk}/change/"
    form = {"user": str(agent_a.pk), "role": "lead", "teams": [str(team_b.pk)],
            "presence": "away", "languages": "[]", "skills": "[]", "phone": ""}

    response = client.post(url, form)

    assert response.status_code == 302, response.content[:2000]
    agent.refresh_from_db()
    assert (agent.role, agent.presence, list(agent.teams.all())) == ("lead", "away", [team_b])
    [updated] = RealtimeEvent.objects.filter(name="agent.updated")
    assert updated.payload == {"id": agent.pk, "user_id": agent_a.pk, "role": "lead",
                               "sees_everything": True, "team_ids": [team_b.pk]}
    assert list(updated.groups.values_list("group", flat=True)) == [f"agent.{agent_a.pk}"]
    # Saving again without a change publishes nothing more.
    assert client.post(url, form).status_code == 302
    assert RealtimeEvent.objects.filter(name="agent.updated").count() == 1
