"""The embedded set-up's in-memory channel layer: the hub's one channel takes a burst of
events to many sockets at once (a full in-memory channel drops sends)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from omnidesk.settings import IN_MEMORY_CHANNEL_LAYER
from realtime import dispatch, events
from realtime.audience import Audience
from realtime.publish import Event, publish_many
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 300  # three times the in-memory layer's default capacity


def test_a_burst_reaches_the_sockets_through_the_in_memory_layer(settings, monkeypatch,
                                                                 agent_a, agent_b):
    settings.CHANNEL_LAYERS = {"default": IN_MEMORY_CHANNEL_LAYER}
    monkeypatch.setattr(dispatch, "_home_loop", None)
    cookies = [session_cookie_for(agent_a), session_cookie_for(agent_b)]

    def burst() -> list[int]:
        # One event to each agent in turn: two groups, one channel in this process.
        with transaction.atomic():
            rows = publish_many([Event(events.CUSTOMER_UPDATED, {"n": n},
                                       Audience.agent((agent_a, agent_b)[n % 2].pk))
                                 for n in range(BURST)])
        return [row.pk for row in rows]

    async def scenario() -> None:
        # The in-memory layer's queues belong to this loop: sends go through it.
        dispatch.set_home_loop(asyncio.get_running_loop())
        socks = [await connect_agent_socket(cookie) for cookie in cookies]
        for sock in socks:
            assert (await sock.connect())[0]
            assert (await sock.receive_json_from())["type"] == "hello"
        sent = await sync_to_async(burst)()
        got_a = await receive_events(socks[0], BURST // 2, timeout=10)
        got_b = await receive_events(socks[1], BURST // 2, timeout=10)
        assert [e["id"] for e in got_a] == sent[0::2]
        assert [e["id"] for e in got_b] == sent[1::2]
        for sock in socks:
            await sock.disconnect()

    asyncio.run(scenario())
