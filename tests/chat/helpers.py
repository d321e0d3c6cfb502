"""Chat visitor sockets against the real ASGI application."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator

from channels_chat.widget import widget_key
from conversations.models import Inbox
from omnidesk.asgi import application

SHOP = "http://shop.test"


def visitor_socket(inbox: Inbox, origin: str = SHOP) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    return WebsocketCommunicator(application, f"/ws/chat/{widget_key(inbox)}/", headers=headers)


async def hello(
    comm: WebsocketCommunicator, token: str | None = None, since: int | None = None,
    identity: dict[str, str] | None = None,
) -> dict[str, Any]:
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "hello", "token": token, "since": since,
                             "identity": identity})
    welcome = await comm.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return welcome


async def frames_until(
    comm: WebsocketCommunicator, kind: str, timeout: float = 5
) -> list[dict[str, Any]]:
    """Every frame up to and including the first of type `kind`."""
    out: list[dict[str, Any]] = []
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        out.append(frame)
        if frame.get("type") == kind:
            return out


async def next_event(
    comm: WebsocketCommunicator, name: str, timeout: float = 5, **data: Any
) -> dict[str, Any]:
    """The next event frame named `name` whose data has these values (others skipped)."""
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame.get("type") != "event" or frame["event"] != name:
            continue
        if all(frame["data"].get(k) == v for k, v in data.items()):
            return frame
