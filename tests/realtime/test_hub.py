"""The sockets of a process share one layer channel (realtime.hub): each event is received
once per group and encoded once, every socket of the group gets it once, and a socket
whose client does not read holds up neither the others nor its own order."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
import redis
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction

from agents.models import Role
from realtime import events
from realtime.audience import Audience
from realtime.publish import Event, publish, publish_many
from tests.conftest import make_user
from tests.realtime_helpers import connect_agent_socket, running_server, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _channels(pattern: str) -> list[bytes]:
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    return sorted(redis.Redis.from_url(settings.REDIS_URL).pubsub_channels(f"{prefix}{pattern}"))


def _tell_team(team_id: int, label: str) -> int:
    with transaction.atomic():
        return publish(events.CONVERSATION_UPDATED, {"label": label}, Audience.team(team_id)).pk


async def _frame_of(sock, event_id: int) -> str:
    """The text of the frame carrying `event_id` (presence events of the sockets
    connecting come first)."""
    while True:
        output = await sock.receive_output(timeout=5)
        if f'"id": {event_id},' in output.get("text", ""):
            return str(output["text"])


def test_sockets_of_a_process_share_one_channel_and_one_frame_per_event(agent_a, team_a):
    colleague = make_user("colleague", Role.AGENT, [team_a])
    cookies = [session_cookie_for(agent_a), session_cookie_for(colleague),
               session_cookie_for(agent_a)]  # the agent's second tab

    async def scenario() -> None:
        socks = [await connect_agent_socket(cookie) for cookie in cookies]
        for sock in socks:
            assert (await sock.connect())[0]
            assert (await sock.receive_json_from())["type"] == "hello"
        # No channel per socket: one for the process, one subscription per group.
        assert _channels("specific.*") == []
        assert len(_channels("sockets.*")) == 1
        event_id = await sync_to_async(_tell_team)(team_a.pk, "shared")
        frames = [await _frame_of(sock, event_id) for sock in socks]
        assert json.loads(frames[0]) == {"type": "event", "id": event_id,
                                         "event": "conversation.updated",
                                         "data": {"label": "shared"}}
        # Encoded once for the three sockets.
        assert frames[1] is frames[0] and frames[2] is frames[0]
        for sock in socks:
            assert await sock.receive_nothing(timeout=0.3)
        for sock in socks:
            await sock.disconnect()
        prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
        for _ in range(50):
            if f"{prefix}__group__team.{team_a.pk}".encode() not in _channels("__group__*"):
                break
            await asyncio.sleep(0.1)
        # The last socket of the group left: the process left the group.
        assert f"{prefix}__group__team.{team_a.pk}".encode() not in _channels("__group__*")

    asyncio.run(scenario())


EVENTS = 300
PAYLOAD = "x" * 30_000  # 300 frames of 30 kB: more than the kernel buffers hold


def test_a_client_that_does_not_read_holds_up_neither_the_others_nor_its_order(
    agent_a, team_a
):
    colleague = make_user("colleague", Role.AGENT, [team_a])
    cookies = [session_cookie_for(agent_a), session_cookie_for(colleague)]

    def tell_many() -> list[int]:
        with transaction.atomic():
            rows = publish_many([Event(events.CONVERSATION_UPDATED, {"n": n, "pad": PAYLOAD},
                                       Audience.team(team_a.pk)) for n in range(EVENTS)])
        return [row.pk for row in rows]

    async def event_ids(sock, count: int) -> list[int]:
        ids: list[int] = []
        while len(ids) < count:
            frame = json.loads(await asyncio.wait_for(sock.recv(), 20))
            if frame["type"] == "event" and frame["event"] == "conversation.updated":
                ids.append(frame["id"])
        return ids

    async def scenario(port: int) -> None:
        url, origin = f"ws://127.0.0.1:{port}/ws/agent/", f"http://127.0.0.1:{port}"
        reader = await websockets.connect(url, origin=origin, max_size=None, ping_interval=None,
                                          additional_headers={"Cookie": cookies[0].decode()})
        # A client that stops reading: a small receive buffer, one frame queued at most.
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        stalled = await websockets.connect(url, origin=origin, sock=raw, max_size=None,
                                           ping_interval=None,
                                           max_queue=1,
                                           additional_headers={"Cookie": cookies[1].decode()})
        for sock in (reader, stalled):
            assert json.loads(await sock.recv())["type"] == "hello"
        sent = await sync_to_async(tell_many)()
        # The reading client gets every frame while the other reads nothing.
        assert await event_ids(reader, EVENTS) == sent
        # Then the stalled one reads: all of them, in order, once.
        assert await event_ids(stalled, EVENTS) == sent
        later = await sync_to_async(_tell_team)(team_a.pk, "later")
        assert await event_ids(stalled, 1) == [later]
        assert await event_ids(reader, 1) == [later]
        await stalled.send(json.dumps({"type": "ping", "last": later}))
        while (frame := json.loads(await asyncio.wait_for(stalled.recv(), 10)))["type"] != "pong":
            assert frame["type"] == "event"
        assert frame == {"type": "pong", "behind": False}
        await reader.close()
        await stalled.close()

    with running_server(ws_per_message_deflate=False) as port:
        asyncio.run(scenario(port))


class _CountingLayer:
    """The test settings' channel layer, with its group_add calls counted."""

    def __init__(self, layer) -> None:
        self.layer, self.added = layer, 0

    def __getattr__(self, name: str):
        return getattr(self.layer, name)

    async def group_add(self, group: str, channel: str) -> None:
        self.added += 1
        await self.layer.group_add(group, channel)


class _Inbox:
    def __init__(self) -> None:
        self.batches: list = []

    def push(self, batch) -> None:
        self.batches.append(batch)


def test_a_process_asks_the_layer_once_for_a_group_its_sockets_share(monkeypatch):
    from channels.layers import get_channel_layer

    from realtime import hub as hub_module

    async def scenario() -> None:
        layer = _CountingLayer(get_channel_layer())
        hub = hub_module.Hub(layer, asyncio.get_running_loop())
        members = [_Inbox() for _ in range(50)]
        # Fifty sockets of one team connecting at once (a restart, the morning's sign-in).
        await asyncio.gather(*(hub.join("team.77", member) for member in members))
        assert layer.added == 1
        await layer.group_send("team.77", {"type": "realtime.event", "group": "team.77",
                                           "id": 1, "event": "conversation.updated",
                                           "data": {}})
        for _ in range(50):
            if all(member.batches for member in members):
                break
            await asyncio.sleep(0.05)
        assert all(len(member.batches) == 1 for member in members)

        # The last one left: the process left the group, and the next join asks again.
        for member in members:
            await hub.leave("team.77", member)
        await hub.join("team.77", members[0])
        assert layer.added == 2
        # A group held for REASK_SECONDS is asked again (a layer that forgets idle groups).
        monkeypatch.setattr(hub_module, "REASK_SECONDS", 0.0)
        await asyncio.sleep(0.01)
        await hub.join("team.77", members[1])
        assert layer.added == 3
        for member in members[:2]:
            await hub.leave("team.77", member)
        if hub._task is not None:
            hub._task.cancel()

    asyncio.run(scenario())
