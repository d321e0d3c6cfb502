"""Hands committed events to the channel layer without blocking the caller.

Sends run on one event loop: the ASGI server's own loop when this process serves
websockets (required by the in-memory layer, whose queues belong to that loop), else a
private loop in a daemon thread (a Celery worker). One loop keeps sends in order and
reuses one Redis connection instead of opening one per message.

When the layer is unreachable, sends stop for a while instead of piling up on the loop
(each would wait on a dead connection): the events are in the outbox table already, and
sockets pick them up by "resume" (a client's heartbeat tells it when it is behind).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer

from realtime.layer import LAYER_ERRORS

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 5.0
# Sends queued on the loop at most; beyond that a slow layer drops live sends.
MAX_IN_FLIGHT = 1000
PAUSE_FIRST = 1.0
PAUSE_MAX = 30.0

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


class SendBreaker:
    """Pauses sends after a failure: 1 s, doubling to 30 s while failures go on; the
    sends after a pause probe the layer. Logs once per outage, not per event.

    A send that timed out while the layer answered others (one succeeded since
    SEND_TIMEOUT before it was admitted) is not an outage but a busy loop or layer: the
    loop serves a send at a time per Redis shard, and a loaded web process may take
    longer than SEND_TIMEOUT to reach one. That send is lost live (its event waits in
    the outbox for the client's resume, like any skipped one); pausing would drop every
    send for a second or more while the layer answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.failures = 0
        self.paused_until = 0.0
        self.skipped = 0
        self.last_success = float("-inf")
        self.slow = 0  # sends timed out while the layer answered others

    def admit(self) -> bool:
        with self._lock:
            if self.in_flight >= MAX_IN_FLIGHT or time.monotonic() < self.paused_until:
                self.skipped += 1
                return False
            self.in_flight += 1
            return True

    def done(self, error: BaseException | None, admitted: float) -> None:
        """A send admitted at `admitted` (time.monotonic()) ended, with `error` or not."""
        with self._lock:
            self.in_flight -= 1
            now = time.monotonic()
            if error is None:
                self.last_success = now
                if self.failures:
                    logger.warning(
                        "realtime: channel layer reachable again (%d live sends skipped; "
                        "clients resume them from the outbox)",
                        self.skipped,
                    )
                self.failures = self.skipped = 0
                self.paused_until = 0.0
                return
            if isinstance(error, TimeoutError) and self.last_success >= admitted - SEND_TIMEOUT:
                self.slow += 1
                if self.slow == 1 or self.slow % 100 == 0:
                    logger.warning(
                        "realtime: %d live sends timed out while the channel layer answered "
                        "others (a loaded process); clients resume them from the outbox",
                        self.slow,
                    )
                return
            if now < self.paused_until:
                return  # one of the sends admitted before the pause: same outage
            self.failures += 1
            self.paused_until = now + min(PAUSE_MAX, PAUSE_FIRST * 2 ** (self.failures - 1))
            if self.failures == 1:
                logger.warning(
                    "realtime: channel layer unreachable (%s); live sends paused, "
                    "events stay in the outbox",
                    str(error) or type(error).__name__,
                )

    def is_paused(self) -> bool:
        return time.monotonic() < self.paused_until


breaker = SendBreaker()


async def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # The group named: each process's hub hands it to the sockets of that group
    # (realtime.hub).
    sends = [(group, {**message, "group": group}) for group in groups]
    async with asyncio.timeout(SEND_TIMEOUT):
        try:
            await _publish(layer, sends)
        except LAYER_ERRORS:
            # After a Redis restart, the pooled connection fails once ("Connection
            # closed by server"); the retry opens a new one. A group sent twice is sent
            # once to each socket (they keep the event ids they sent).
            await _publish(layer, sends)


async def _publish(layer: Any, sends: list[tuple[str, dict[str, Any]]]) -> None:
    loop_layer = pipelined_layer(layer)
    if loop_layer is not None:
        await _publish_pipelined(layer, loop_layer, sends)
        return
    for group, addressed in sends:
        await layer.group_send(group, addressed)


def pipelined_layer(layer: Any) -> Any:
    """For channels_redis' pub/sub layer, this loop's layer (whose shards are each a
    Redis connection), else None.

    `group_send` publishes one group at a time, each a PUBLISH of its own behind the
    shard's lock: an inbound event goes to two or three groups (staff, the team, the
    assignee), and those sends cost about a quarter of the CPU of recording the event
    (bench: the pipeline with and without them). The groups' messages are published in
    one pipelined round trip per shard instead, with the layer's own channel names,
    shards, serializer and lock. These are channels_redis' internals (4.3, pinned in
    requirements/); without them this answers None and `group_send` is used, which
    `tests/realtime/test_dispatch.py` would report."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    loop_layer = layer._get_layer()
    shards = getattr(loop_layer, "_shards", None)
    if (not shards or not hasattr(loop_layer, "_get_group_channel_name")
            or not hasattr(loop_layer, "_get_shard")
            or not all(hasattr(shards[0], name) for name in ("_lock", "_ensure_redis"))):
        return None
    return loop_layer


async def _publish_pipelined(layer: Any, loop_layer: Any,
                             sends: list[tuple[str, dict[str, Any]]]) -> None:
    by_shard: dict[Any, list[tuple[str, bytes]]] = {}
    for group, addressed in sends:
        channel = loop_layer._get_group_channel_name(group)
        shard = loop_layer._get_shard(channel)
        by_shard.setdefault(shard, []).append((channel, layer.serialize(addressed)))
    for shard, messages in by_shard.items():
        async with shard._lock:
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, data in messages:
                pipe.publish(channel, data)
            await pipe.execute()


def dispatch(groups: list[str], message: dict[str, Any]) -> Future[None] | None:
    """Sends `message` to `groups`; None when sends are paused (the layer is down)."""
    if not breaker.admit():
        return None
    admitted = time.monotonic()
    future = asyncio.run_coroutine_threadsafe(_send(groups, message), _target_loop())
    future.add_done_callback(lambda done: _settle(done, admitted))
    return future


def _settle(future: Future[None], admitted: float) -> None:
    error = None if future.cancelled() else future.exception()
    if error is not None and not isinstance(error, LAYER_ERRORS):
        # A bug, not an outage: say so loudly, and keep sending the other events.
        logger.error("realtime dispatch failed", exc_info=error)
        error = None
    breaker.done(error, admitted)
