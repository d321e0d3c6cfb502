"""Connecting test websockets to the real ASGI application as a signed-in user."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
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


@contextlib.contextmanager
def running_server(**options: Any) -> Iterator[int]:
    """omnidesk.asgi:application under a real uvicorn, in a thread of the test process;
    yields its port. `options` go to uvicorn's Config (e.g. ws_per_message_deflate)."""
    import uvicorn

    class ThreadServer(uvicorn.Server):
        def install_signal_handlers(self) -> None:  # the test process keeps its own
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadServer(uvicorn.Config(application, host="127.0.0.1", port=port,
                                         lifespan="on", log_level="warning", **options))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=20)
