"""ASGI entry point: HTTP and websockets in one process.

At lifespan start-up it records the server's event loop (realtime sends go through it)
and, in the embedded set-up, starts the Celery worker thread.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")

import django

django.setup(set_prefix=False)

from omnidesk.asgi_http import SyncChainHandler, ThreadPerRequest  # noqa: E402

# A request's signals, chain and view in one hand-off to a thread kept between requests.
django_http = ThreadPerRequest(SyncChainHandler())

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from channels_chat.routing import websocket_urlpatterns as visitor_routes  # noqa: E402
from omnidesk.embedded import start_embedded_worker  # noqa: E402
from omnidesk.websocket_urls import websocket_urlpatterns  # noqa: E402
from realtime.dispatch import set_home_loop  # noqa: E402
from realtime.socket_base import RAW_SEND  # noqa: E402

agent_sockets = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
# Chat visitors connect from the sites that embed the widget: no session, and the origin
# is checked against the widget's own allow-list by its consumer.
visitor_sockets = URLRouter(visitor_routes)
VISITOR_PREFIX = "/ws/chat/"


async def websockets(scope: dict[str, Any], receive: Any, send: Any) -> None:
    # Our consumers send frames with the server's own `send`, past the session
    # middleware's wrapper (realtime.socket_base).
    scope = {**scope, RAW_SEND: send}
    if scope["path"].startswith(VISITOR_PREFIX):
        await visitor_sockets(scope, receive, send)
    else:
        await agent_sockets(scope, receive, send)


router = ProtocolTypeRouter({"http": django_http, "websocket": websockets})

_loop_recorded = False


def _record_loop() -> None:
    global _loop_recorded
    if not _loop_recorded:
        set_home_loop(asyncio.get_running_loop())
        _loop_recorded = True


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _record_loop()
                start_embedded_worker()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    _record_loop()
    await router(scope, receive, send)
