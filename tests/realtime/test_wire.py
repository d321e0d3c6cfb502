"""An event's frame is built once per process and written to uvicorn's sockets as ready
bytes (realtime.wire); with permessage-deflate, or switched off, it goes through the
ASGI send as before. Either way the client reads the same frame."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import transaction
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side
from websockets.typing import Origin

from realtime import events, wire
from realtime.audience import Audience
from realtime.publish import Event, publish, publish_many
from tests.realtime_helpers import running_server, session_cookie_for


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_a_text_frame_reads_back_as_websockets_reads_it(size: int) -> None:
    payload = ("é" * size).encode()[:size]  # a cut "é" is fine: the frame carries bytes
    reader = Protocol(Side.CLIENT, max_size=None)
    reader.receive_data(wire.text_frame(payload))
    [frame] = reader.events_received()
    assert isinstance(frame, WsFrame)
    assert (frame.opcode, frame.fin, bytes(frame.data)) == (Opcode.TEXT, True, payload)


def test_an_events_frame_is_its_json_text_and_the_asgi_message_that_sends_it() -> None:
    frame = wire.event_frame(7, "conversation.updated", {"label": "façade"})
    assert json.loads(frame.text) == {"type": "event", "id": 7,
                                      "event": "conversation.updated",
                                      "data": {"label": "façade"}}
    assert frame.message == {"type": "websocket.send", "text": frame.text}
    assert frame.wire == wire.text_frame(frame.text.encode())


def test_other_servers_sends_get_no_direct_writer() -> None:
    async def send(message: dict[str, Any]) -> None:
        pass

    assert wire.direct_writer(send) is None


@pytest.fixture
def sent_texts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The text frames that went through uvicorn's ASGI send."""
    texts: list[str] = []
    original = WebSocketsSansIOProtocol.send

    async def spy(self: WebSocketsSansIOProtocol, message: Any) -> None:
        if message["type"] == "websocket.send" and "text" in message:
            texts.append(message["text"])
        await original(self, message)

    monkeypatch.setattr(WebSocketsSansIOProtocol, "send", spy)
    yield texts


def _tell_team(team_id: int, label: str) -> int:
    with transaction.atomic():
        return publish(events.CONVERSATION_UPDATED, {"label": label}, Audience.team(team_id)).pk


def _receive_event(team_id: int, cookie: bytes, *, deflate: bool) -> tuple[int, dict[str, Any]]:
    async def scenario(port: int) -> tuple[int, dict[str, Any]]:
        compression = "deflate" if deflate else None
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/agent/", origin=Origin(f"http://127.0.0.1:{port}"),
            compression=compression, ping_interval=None,
            additional_headers={"Cookie": cookie.decode()},
        ) as sock:
            assert json.loads(await sock.recv())["type"] == "hello"
            event_id = await sync_to_async(_tell_team)(team_id, "wire")
            while True:
                frame = json.loads(await asyncio.wait_for(sock.recv(), 10))
                if frame.get("id") == event_id:
                    return event_id, frame

    with running_server(ws_per_message_deflate=deflate) as port:
        return asyncio.run(scenario(port))


@pytest.mark.django_db(transaction=True)
def test_without_deflate_an_event_goes_to_the_socket_as_ready_bytes(
    agent_a: Any, team_a: Any, sent_texts: list[str]
) -> None:
    event_id, frame = _receive_event(team_a.pk, session_cookie_for(agent_a), deflate=False)
    assert frame == {"type": "event", "id": event_id, "event": "conversation.updated",
                     "data": {"label": "wire"}}
    assert json.loads(sent_texts[0])["type"] == "hello"  # what the consumer sends itself
    assert [t for t in sent_texts if f'"id": {event_id},' in t] == []


@pytest.mark.django_db(transaction=True)
def test_with_deflate_an_event_goes_through_the_asgi_send(
    agent_a: Any, team_a: Any, sent_texts: list[str]
) -> None:
    event_id, frame = _receive_event(team_a.pk, session_cookie_for(agent_a), deflate=True)
    assert frame["data"] == {"label": "wire"}
    assert [json.loads(t)["id"] for t in sent_texts if f'"id": {event_id},' in t] == [event_id]


@pytest.mark.django_db(transaction=True)
def test_switched_off_an_event_goes_through_the_asgi_send(
    agent_a: Any, team_a: Any, sent_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "DIRECT_WRITES", False)
    event_id, frame = _receive_event(team_a.pk, session_cookie_for(agent_a), deflate=False)
    assert frame["data"] == {"label": "wire"}
    assert [json.loads(t)["id"] for t in sent_texts if f'"id": {event_id},' in t] == [event_id]


@pytest.mark.django_db(transaction=True)
def test_one_commits_events_reach_the_client_as_their_own_frames_in_order(
    agent_a: Any, team_a: Any, sent_texts: list[str]
) -> None:
    def tell_two() -> list[int]:
        with transaction.atomic():
            rows = publish_many([
                Event(events.INTERACTION_CREATED, {"n": 1}, Audience.team(team_a.pk)),
                Event(events.CONVERSATION_UPDATED, {"n": 2}, Audience.team(team_a.pk)),
            ])
        return [row.pk for row in rows]

    cookie = session_cookie_for(agent_a).decode()

    async def scenario(port: int) -> tuple[list[int], list[dict[str, Any]]]:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/agent/", origin=Origin(f"http://127.0.0.1:{port}"),
            ping_interval=None, additional_headers={"Cookie": cookie},
        ) as sock:
            assert json.loads(await sock.recv())["type"] == "hello"
            ids = await sync_to_async(tell_two)()
            frames: list[dict[str, Any]] = []
            while len(frames) < 2:
                frame = json.loads(await asyncio.wait_for(sock.recv(), 10))
                if frame.get("id") in ids:
                    frames.append(frame)
            return ids, frames

    with running_server(ws_per_message_deflate=False) as port:
        ids, frames = asyncio.run(scenario(port))
    assert [(f["id"], f["event"], f["data"]) for f in frames] == [
        (ids[0], "interaction.created", {"n": 1}), (ids[1], "conversation.updated", {"n": 2})]
    assert [t for t in sent_texts if any(f'"id": {i},' in t for i in ids)] == []
