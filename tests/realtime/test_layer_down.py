"""With the channel layer (Redis) down, the agent websocket refuses with close code 1013
instead of a 500, sends do not pile up, and every event waits in the outbox until the
client resumes. Uses a private redis-server that the test stops, never the shared one."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import transaction

from realtime import consumers, dispatch, events
from realtime.audience import Audience
from realtime.publish import publish
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait(self._pings)

    def subscribers(self, channel: str) -> int:
        try:
            [(_, count)] = redis.Redis(port=self.port).pubsub_numsub(channel)
        except redis.RedisError:
            return 0
        return int(count)

    def freeze(self) -> None:
        """Still listening, never answering (a hung server or a dead network path)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_layer(settings, monkeypatch) -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url], "prefix": "omnidesk-layer-down"},
        }
    }
    monkeypatch.setattr(dispatch, "breaker", dispatch.SendBreaker())
    monkeypatch.setattr(consumers.LayerState, "refusing", False)
    # Long enough that the sends of the test all fall inside the first pause.
    monkeypatch.setattr(dispatch, "PAUSE_FIRST", 3.0)
    yield server
    server.stop()


async def _catch_up(sock, *, last: int) -> list[dict]:
    """What a client does on each heartbeat: ping, and resume if it is behind."""
    await sock.send_json_to({"type": "ping", "last": last})
    received = []
    while (frame := await sock.receive_json_from(timeout=10))["type"] != "pong":
        received.append(frame)
    if frame["behind"]:
        await sock.send_json_to({"type": "resume", "since": last})
        while (frame := await sock.receive_json_from(timeout=10))["type"] != "resumed":
            received.append(frame)
    assert {f["type"] for f in received} <= {"event"}
    return received


def _problems(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records
            if r.levelno >= logging.ERROR or r.exc_info]


def test_the_socket_is_refused_with_1013_while_the_layer_is_down(private_layer, agent_a, caplog):
    cookie = session_cookie_for(agent_a)
    caplog.set_level(logging.WARNING)

    async def attempt() -> dict:
        sock = await connect_agent_socket(cookie)
        connected, _ = await sock.connect(timeout=10)
        assert connected  # accepted, so that a browser sees the close code
        frame = await sock.receive_output(timeout=10)
        if frame["type"] == "websocket.send":
            await sock.disconnect()
        return frame

    private_layer.stop()
    assert asyncio.run(attempt()) == {"type": "websocket.close", "code": 1013}
    assert asyncio.run(attempt()) == {"type": "websocket.close", "code": 1013}
    # One line for the outage, not one per attempt, and no traceback.
    [warning] = [r.getMessage() for r in caplog.records if r.name == "realtime.consumers"]
    assert warning.startswith("agent websocket: channel layer unreachable (Error 111 connecting")
    assert warning.endswith("refusing sockets with 1013")
    assert _problems(caplog) == []

    private_layer.start()
    frame = asyncio.run(attempt())
    assert frame["type"] == "websocket.send" and '"hello"' in frame["text"]
    assert [r.getMessage() for r in caplog.records if r.name == "realtime.consumers"][1:] == [
        "agent websocket: channel layer reachable again"]


def test_sends_pause_while_the_layer_is_down_and_a_client_resumes_what_it_missed(
    private_layer, agent_a, team_a, caplog
):
    cookie = session_cookie_for(agent_a)
    caplog.set_level(logging.WARNING)

    def tell(label: str) -> int:
        with transaction.atomic():
            return publish(events.CONVERSATION_UPDATED, {"label": label},
                           Audience.team(team_a.pk)).pk

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        before = await sync_to_async(tell)("before")
        assert [e["id"] for e in await receive_events(sock, 1)] == [before]

        private_layer.stop()
        first = await sync_to_async(tell)("down 1")
        await asyncio.to_thread(_wait, dispatch.breaker.is_paused)
        others = [await sync_to_async(tell)(f"down {i}") for i in (2, 3)]
        assert dispatch.dispatch(["staff"], {"type": "realtime.event"}) is None  # not queued
        await asyncio.to_thread(_wait, lambda: dispatch.breaker.in_flight == 0)
        # The layer's receiver retries every second meanwhile: no traceback per retry.
        await asyncio.sleep(3)
        # The heartbeat tells the client it is behind; resume gets what it missed.
        await sock.send_json_to({"type": "ping", "last": before})
        assert await sock.receive_json_from() == {"type": "pong", "behind": True}
        await sock.send_json_to({"type": "resume", "since": before})
        missed = await receive_events(sock, 3)
        assert [e["id"] for e in missed] == [first, *others]
        assert [e["data"]["label"] for e in missed] == ["down 1", "down 2", "down 3"]
        await sock.receive_json_from()  # resumed

        private_layer.start()
        await asyncio.to_thread(_wait, lambda: not dispatch.breaker.is_paused())
        # The socket's subscription comes back within a second of Redis; an event sent
        # before that reaches it live or through the next heartbeat, once either way.
        after = await sync_to_async(tell)("after")
        assert [e["id"] for e in await _catch_up(sock, last=others[-1])] == [after]
        group = f"omnidesk-layer-down__group__team.{team_a.pk}"
        await asyncio.to_thread(_wait, lambda: private_layer.subscribers(group) == 1)
        later = await sync_to_async(tell)("later")
        assert [e["id"] for e in await receive_events(sock, 1)] == [later]
        await sock.disconnect()

    asyncio.run(scenario())
    assert _problems(caplog) == []
    down, up = [r.getMessage() for r in caplog.records if r.name == "realtime.dispatch"]
    assert down.startswith("realtime: channel layer unreachable (Error 111 connecting")
    assert down.endswith("live sends paused, events stay in the outbox")
    assert up == ("realtime: channel layer reachable again (3 live sends skipped; clients "
                  "resume them from the outbox)")
    [receiver] = [r.getMessage() for r in caplog.records if r.name == "channels_redis.pubsub"]
    assert receiver.startswith("Unexpected exception in receive task: Error 111 connecting")
    assert receiver.endswith("(channel layer unreachable; repeats hidden for 60 s)")


def test_a_layer_that_stops_answering_pauses_sends_within_two_timeouts(
    private_layer, monkeypatch, caplog
):
    """Sends already waiting when the layer hangs time out together (each send's time
    limit counts from its start, its wait behind the others included); they came right
    after an answer, so they count as a busy layer. The next send, with no answer for a
    whole timeout before it, pauses sends."""
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(dispatch, "SEND_TIMEOUT", 0.5)
    message = {"type": "realtime.event", "id": 1, "event": "conversation.updated", "data": {}}
    dispatch.dispatch(["staff"], message).result(timeout=5)  # connected, answering

    private_layer.freeze()
    started = time.monotonic()
    waiting = [dispatch.dispatch(["staff"], message) for _ in range(10)]
    for future in waiting:
        assert future is not None
        with pytest.raises(TimeoutError):
            future.result(timeout=10)
    _wait(lambda: dispatch.breaker.in_flight == 0)
    assert time.monotonic() - started < 2  # together, not 10 x 0.5 s
    assert dispatch.breaker.slow == 10 and not dispatch.breaker.is_paused()

    time.sleep(0.5)
    later = dispatch.dispatch(["staff"], message)
    assert later is not None
    with pytest.raises(TimeoutError):
        later.result(timeout=10)
    _wait(lambda: dispatch.breaker.is_paused())
    assert dispatch.dispatch(["staff"], message) is None
    down = [r.getMessage() for r in caplog.records if r.name == "realtime.dispatch"][-1]
    assert down == ("realtime: channel layer unreachable (TimeoutError); live sends paused, "
                    "events stay in the outbox")
