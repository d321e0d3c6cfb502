"""Socket messages are handled without Channels' per-message `aclose_old_connections()`,
which runs on the process's one sync thread and queued 1,000 sockets' frames behind it
(realtime/socket_base.py); frames still arrive and the database is still used safely."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from realtime import events
from realtime.audience import Audience
from realtime.publish import publish
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_socket_messages_skip_the_per_message_connection_sweep(agent_a, monkeypatch):
    import channels.consumer

    sweeps: list[Any] = []

    async def counted() -> None:
        sweeps.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    cookie = session_cookie_for(agent_a)

    def tell_agent() -> int:
        with transaction.atomic():
            return publish(events.CUSTOMER_UPDATED, {"id": 7}, Audience.agent(agent_a.pk)).pk

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        assert (await sock.receive_json_from())["type"] == "hello"
        event_id = await sync_to_async(tell_agent)()
        [frame] = await receive_events(sock, 1)
        assert frame["id"] == event_id
        await sock.send_json_to({"type": "ping"})
        await sock.disconnect()

    asyncio.run(scenario())
    assert sweeps == []
