"""Connecting test websockets to the real ASGI application as a signed-in user."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from omnidesk.asgi import application


def session_cookie_for(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={value}".encode()


async def connect_agent_socket(cookie: bytes | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers)


# Every socket that connects makes its agent online: leads' sockets receive that.
PRESENCE = ("agent.presence",)


async def receive_events(
    comm: WebsocketCommunicator, count: int, timeout: float = 5, skip: tuple[str, ...] = PRESENCE
) -> list[dict[str, Any]]:
    """The next `count` event frames (skipping control frames such as hello/resumed, and
    events named in `skip`: by default the presence changes of the sockets connecting)."""
    out: list[dict[str, Any]] = []
    while len(out) < count:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame.get("type") == "event" and frame.get("event") not in skip:
            out.append(frame)
    return out
