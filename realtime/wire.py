"""An event's frame, made once per process for every socket it goes to, and written to
uvicorn's sockets as ready bytes.

Through the ASGI `send`, each socket's copy of a frame was a coroutine, a UTF-8 encoding,
a websockets `Frame`, its serialization and a join before the transport's write: half
of the server's ~32 us per socket of an event's fan-out (bench/scaleout.py, 1,000 agent
sockets). A server's text frame is the same bytes for every socket (servers do not mask
frames), so the hub builds it once (`Frame.wire`) and each socket writes it straight to
its transport (`direct_writer`), when:

- the server is uvicorn's websockets-sansio protocol (its default with websockets
  installed, `--ws auto`), whose `send` is a method of the connection's protocol object;
- the socket is open, accepted and not closing, no close was sent, and the transport
  takes writes without waiting (uvicorn's `writable`: otherwise the ASGI send waits for
  the client, and so must we);
- no extension was negotiated (permessage-deflate compresses each socket's copy).

Otherwise, and with OMNIDESK_REALTIME_DIRECT_WRITES=0, frames go through the ASGI `send`
as before. Whole frames are written at once, so uvicorn's own pings and closes, which
write whole frames too, never interleave inside one.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omnidesk.env import env_bool

DIRECT_WRITES = env_bool("OMNIDESK_REALTIME_DIRECT_WRITES", True)

FIN_TEXT = 0x81  # FIN bit set, opcode 1 (text)


def event_text(event_id: int, name: str, data: Any) -> str:
    """The text of an event, as `AsyncJsonWebsocketConsumer.send_json` encodes it."""
    return json.dumps({"type": "event", "id": event_id, "event": name, "data": data})


def text_frame(payload: bytes) -> bytes:
    """A final, unmasked websocket text frame (RFC 6455 5.2) carrying `payload`."""
    size = len(payload)
    if size < 126:
        header = bytes((FIN_TEXT, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", FIN_TEXT, 127, size)
    return header + payload


@dataclass(frozen=True, slots=True)
class Frame:
    """One event's frame: its text, the ASGI message that sends it, its wire bytes."""

    text: str
    message: dict[str, Any] = field(init=False)
    wire: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", {"type": "websocket.send", "text": self.text})
        object.__setattr__(self, "wire", text_frame(self.text.encode()))


def event_frame(event_id: int, name: str, data: Any) -> Frame:
    return Frame(event_text(event_id, name, data))


@dataclass(frozen=True, slots=True)
class Batch:
    """The events of one layer message, in order (one commit's events for one audience):
    (event id, name, frame) each, and all of their frames' bytes for one write."""

    events: tuple[tuple[int, str, Frame], ...]
    names: frozenset[str] = field(init=False)
    wire: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(name for _, name, _ in self.events))
        object.__setattr__(self, "wire", b"".join(frame.wire for _, _, frame in self.events))


def _sansio_protocol() -> type | None:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import (
            WebSocketsSansIOProtocol,
        )
    except ImportError:
        return None
    return WebSocketsSansIOProtocol


def direct_writer(send: Any) -> Callable[[bytes], bool] | None:
    """For a server `send` that is uvicorn's websockets-sansio protocol's: a function that
    writes a frame's bytes to the socket and returns True, or returns False when the
    frame must go through `send` (see the module's conditions). None for other servers."""
    if not DIRECT_WRITES:
        return None
    server = getattr(send, "__self__", None)
    protocol = _sansio_protocol()
    if server is None or protocol is None or not isinstance(server, protocol):
        return None
    from websockets.protocol import State

    open_state = State.OPEN
    uvicorn_ws: Any = server

    def write(wire: bytes) -> bool:
        conn = uvicorn_ws.conn
        if (not uvicorn_ws.handshake_complete or uvicorn_ws.close_sent
                or uvicorn_ws.disconnected or uvicorn_ws.initial_response is not None
                or not uvicorn_ws.writable.is_set() or conn.state is not open_state
                or conn.extensions):
            return False
        transport = uvicorn_ws.transport
        if transport.is_closing():
            return False
        transport.write(wire)
        return True

    return write
