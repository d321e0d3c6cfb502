"""The agent websocket given junk frames: it answers an error or nothing, and stays open
(a ping after the junk still gets its pong)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.realtime_helpers import connect_agent_socket, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

SINCE_ERROR = {"type": "error", "error": "since must be an event id"}
# (frame, the answer expected before the pong; None: no answer)
JUNK_FRAMES = [
    ("not json at all", {"type": "error", "error": "frames must be JSON objects"}),
    ("{\"type\": \"ping\"", {"type": "error", "error": "frames must be JSON objects"}),
    (" ", {"type": "error", "error": "frames must be JSON objects"}),
    ("[" * 100_000 + "]" * 100_000, {"type": "error", "error": "frames must be JSON objects"}),
    (b"\x00\x01binary", {"type": "error", "error": "frames must be JSON objects"}),
    ("[1, 2, 3]", None),
    ("\"ping\"", None),
    ("null", None),
    ("{}", None),
    ("{\"type\": \"launch-missiles\"}", None),
    ("{\"type\": [\"ping\"]}", None),
    ("{\"type\": {\"a\": 1}}", None),
    ("{\"type\": \"resume\", \"since\": \"abc\"}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": null}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": [1]}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": 1e400}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": -1e400}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": NaN}", SINCE_ERROR),
    # Outside what an event id can be (0 to 2**63 - 1): an error, no database error.
    ("{\"type\": \"resume\", \"since\": 99999999999999999999999999}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": -99999999999999999999999999}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": " + "9" * 5000 + "}",
     {"type": "error", "error": "frames must be JSON objects"}),
    ("{\"type\": \"resume\", \"since\": -5}", SINCE_ERROR),
    ("{\"type\": \"resume\", \"since\": 9223372036854775807}",
     {"type": "resumed", "since": 2**63 - 1, "count": 0, "has_more": False,
      "next_since": 2**63 - 1}),
    ("{\"type\": \"ping\", \"last\": \"x\"}",
     {"type": "error", "error": "last must be an event id"}),
]


@pytest.mark.parametrize(("frame", "answer"), JUNK_FRAMES,
                         ids=[f"frame{i}" for i in range(len(JUNK_FRAMES))])
def test_junk_frame_gets_an_error_or_nothing_and_the_socket_stays_open(agent_a, frame, answer):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        assert (await sock.receive_json_from())["type"] == "hello"
        if isinstance(frame, bytes):
            await sock.send_to(bytes_data=frame)
        else:
            await sock.send_to(text_data=frame)
        if answer is not None:
            assert await sock.receive_json_from(timeout=5) == answer
        await sock.send_json_to({"type": "ping"})
        assert await sock.receive_json_from(timeout=5) == {"type": "pong"}
        await sock.disconnect()

    asyncio.run(scenario())


def test_a_burst_of_mixed_junk_leaves_the_socket_answering(agent_a):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        assert (await sock.receive_json_from())["type"] == "hello"
        for frame, _answer in JUNK_FRAMES * 2:
            if isinstance(frame, bytes):
                await sock.send_to(bytes_data=frame)
            else:
                await sock.send_to(text_data=frame)
        await sock.send_json_to({"type": "ping", "n": json.dumps([1] * 10)})
        while (frame := await sock.receive_json_from(timeout=10))["type"] != "pong":
            assert frame["type"] in ("error", "resumed")
        await sock.disconnect()

    asyncio.run(scenario())
