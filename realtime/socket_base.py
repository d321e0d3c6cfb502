"""The base of our websocket consumers: Channels' JSON consumer without its per-message
`aclose_old_connections()`.

Channels 4 awaits that call before every handler, and it runs on the process's one
thread for synchronous code, shared with every view and every `database_sync_to_async`
call; with 1,000 agent sockets each event's frames queued behind it (measured by
bench/sockets.py: first socket's frame p50 538 ms before, 74 ms without it). Our
consumers touch the database only through `database_sync_to_async`, which closes old
connections itself before and after each call.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class JsonSocketConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
