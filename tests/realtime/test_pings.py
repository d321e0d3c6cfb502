"""Pings that arrive together are answered together (realtime.pings): each socket's own
"behind", and every agent's heartbeat."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from agents.models import Agent, Role
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish
from tests.conftest import make_user
from tests.realtime_helpers import connect_agent_socket, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_pings_sent_together_get_each_their_own_answer(agent_a, agent_b, team_a):
    colleague = make_user("colleague", Role.AGENT, [team_a])
    cookies = [session_cookie_for(u) for u in (agent_a, agent_a, colleague, agent_b)]

    def tell_team_a() -> int:
        with transaction.atomic():
            return publish(events.CONVERSATION_UPDATED, {"n": 1}, Audience.team(team_a.pk)).pk

    async def pong(sock) -> dict:
        while (frame := await sock.receive_json_from(timeout=5))["type"] != "pong":
            assert frame["type"] == "event"
        return frame

    async def scenario() -> None:
        socks = [await connect_agent_socket(cookie) for cookie in cookies]
        for sock in socks:
            assert (await sock.connect())[0]
            assert (await sock.receive_json_from())["type"] == "hello"
        # Stale again, so that the pings' heartbeats write.
        await sync_to_async(Agent.objects.update)(last_heartbeat_at=None)
        event_id = await sync_to_async(tell_team_a)()
        lasts = [event_id, event_id - 1, event_id - 1, event_id - 1]
        for sock, last in zip(socks, lasts, strict=True):
            await sock.send_json_to({"type": "ping", "last": last})
        answers = await asyncio.gather(*(pong(sock) for sock in socks))
        # Team A's event is after the last of the 2nd and 3rd; agent_b is not in team A.
        assert [a["behind"] for a in answers] == [False, True, True, False]
        await socks[0].send_json_to({"type": "ping"})
        assert await pong(socks[0]) == {"type": "pong"}
        await socks[0].send_json_to({"type": "ping", "last": "x"})
        assert await socks[0].receive_json_from() == {"type": "error",
                                                      "error": "last must be an event id"}
        for sock in socks:
            await sock.disconnect()

    asyncio.run(scenario())
    beats = dict(Agent.objects.values_list("user_id", "last_heartbeat_at"))
    assert all(beats[u.pk] is not None for u in (agent_a, colleague, agent_b))
    assert set(Agent.objects.values_list("presence", flat=True)) == {"online"}
