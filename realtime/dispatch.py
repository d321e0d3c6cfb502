"""Hands committed events to the channel layer without blocking the caller.

Sends run on one event loop: the ASGI server's own loop when this process serves
websockets (required by the in-memory layer, whose queues belong to that loop), else a
private loop in a daemon thread (a Celery worker). One loop keeps sends in order and
reuses one Redis connection instead of opening one per message.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

_home_loop: asyncio.AbstractEventLoop | None = None
_private_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def set_home_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the ASGI app at start-up: sends go through the server's loop."""
    global _home_loop
    _home_loop = loop


def _target_loop() -> asyncio.AbstractEventLoop:
    global _private_loop
    if _home_loop is not None and not _home_loop.is_closed():
        return _home_loop
    with _lock:
        if _private_loop is None or _private_loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="realtime-dispatch", daemon=True
            )
            thread.start()
            _private_loop = loop
        return _private_loop


async def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        await layer.group_send(group, message)


def dispatch(groups: list[str], message: dict[str, Any]) -> Future[None]:
    future = asyncio.run_coroutine_threadsafe(_send(groups, message), _target_loop())
    future.add_done_callback(_log_failure)
    return future


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        # Events stay in the outbox table; clients recover them with "resume".
        logger.warning("realtime dispatch failed: %s", exc)
