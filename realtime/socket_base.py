"""The base of our websocket consumers: Channels' JSON consumer, fed by the process's
realtime hub instead of a channel of its own, and without Channels' per-message
`aclose_old_connections()`.

- One task per socket: the loop over the client's messages. Channels runs two more per
  socket (its `await_many_dispatch` waits on the client and on the socket's layer
  channel, and starts a new task for each message) and gives each socket a queue and a
  Redis subscription; the hub (`realtime.hub`) receives each event once per process and
  pushes its frame, encoded once, to the sockets of its group.
- One turn at a time: a client's message is handled, or pushed events are sent, never
  both at once, so a socket's frames keep the order they had (a resume's pages, then
  what arrived meanwhile; `hello` before any event). Events pushed to an idle socket
  (one commit's events for one audience come together) are sent at once on the hub's
  task, in one write of their ready bytes (`realtime.wire`), or through the server's
  `send` when it takes the frame without waiting (a task per socket per event cost more
  than the send itself); otherwise they wait in `_live` for a short-lived task that
  takes the turn.
- Frames go to the server's own `send`: Channels' session middleware wraps it to save
  the session on an HTTP response, and on a websocket only reads the session on every
  frame (`omnidesk.asgi` passes the server's `send` in the scope, `RAW_SEND`).
- Channels 4 awaits `aclose_old_connections()` before every handler, and it runs on the
  process's one thread for synchronous code, shared with every view and every
  `database_sync_to_async` call; with 1,000 agent sockets each event's frames queued
  behind it (bench/sockets.py: first socket's frame p50 538 ms before, 74 ms without it).
  Our consumers touch the database only through `database_sync_to_async`, which closes
  old connections itself before and after each call.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime.hub import Hub, hub
from realtime.wire import Batch, Frame, direct_writer, event_text

logger = logging.getLogger(__name__)

# Event ids a socket remembers having sent: an event addressed to two of its groups (or
# sent live and again by a resume) goes out once.
REMEMBERED = 2000
# The scope key under which omnidesk.asgi passes the server's `send`.
RAW_SEND = "omnidesk.send"


class _Resumed(Awaitable[None]):
    """Finishes a coroutine that was stepped once by hand and is waiting on `waiting`,
    as `await` would have (what `yield from` does)."""

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting: Any) -> None:
        self.coroutine, self.waiting = coroutine, waiting

    def __await__(self) -> Generator[Any, Any, None]:
        waiting = self.waiting
        while True:
            try:
                value = yield waiting
            except BaseException as error:  # handed on to the coroutine, as `await` does
                try:
                    waiting = self.coroutine.throw(error)
                except StopIteration:
                    return
            else:
                try:
                    waiting = self.coroutine.send(value)
                except StopIteration:
                    return


class JsonSocketConsumer(AsyncJsonWebsocketConsumer):
    # Events that are more than a frame to send (handled in `live_event`, in the
    # socket's turn).
    TURN_EVENTS: frozenset[str] = frozenset()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scope = scope
        self.base_send = scope.get(RAW_SEND, send)
        # Writes an event's ready bytes to the socket (`realtime.wire`); None: send it.
        self._write = direct_writer(self.base_send)
        self.hub: Hub = hub()
        self.joined: list[str] = []
        self.closed = False
        self._turn = asyncio.Lock()
        # Made when first needed: an idle socket holds neither (760 bytes a deque).
        self._live: deque[tuple[int, str, Frame]] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self.delivered: deque[int] | None = None
        self.delivered_set: set[int] = set()
        try:
            while True:
                message = await receive()
                async with self._turn:
                    await self.dispatch(message)
        except StopConsumer:
            pass
        finally:
            self.closed = True
            self._live = None
            self.hub.forget(self, self.joined)

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self.closed = True  # nothing pushed after this is sent
        self._live = None
        await super().close(code, reason)

    # --- groups ----------------------------------------------------------------------

    async def join(self, group: str) -> None:
        """Receives the events of `group` from now on; raises the layer's errors. Counted
        as joined before it is: a failed join is undone by `leave_all`."""
        if group not in self.joined:
            self.joined.append(group)
        await self.hub.join(group, self)

    async def leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.remove(group)
        await self.hub.leave(group, self)

    async def leave_all(self) -> None:
        for group in list(self.joined):
            await self.leave(group)

    # --- events ----------------------------------------------------------------------

    def push(self, batch: Batch) -> None:
        """The hub has a message of a joined group for this socket: its events, in order."""
        if self.closed:
            return
        if (self._flusher is None and not self._turn.locked()
                and self.TURN_EVENTS.isdisjoint(batch.names)):
            self._send_fresh(batch)
            return
        self._queue(batch.events)

    def _send_fresh(self, batch: Batch) -> None:
        """Sends at once the batch's events this socket has not sent yet: one write."""
        events, wire = batch.events, batch.wire
        if any(event_id in self.delivered_set for event_id, _, _ in events):
            events = tuple(e for e in events if e[0] not in self.delivered_set)
            if not events:
                return
            wire = b"".join(frame.wire for _, _, frame in events)
        if self._write is not None and self._write(wire):
            for event_id, _, _ in events:
                self.remember(event_id)
        elif len(events) == 1:
            event_id, _, frame = events[0]
            self.remember(event_id)
            self._send_now(frame.message)
        else:  # several frames through the ASGI send: in order, in their own task
            self._queue(events)

    def _queue(self, events: tuple[tuple[int, str, Frame], ...]) -> None:
        if self._live is None:
            self._live = deque()
        self._live.extend(events)
        if self._flusher is None:
            self._flusher = self.hub.loop.create_task(self._flush())

    def _written(self, frame: Frame) -> bool:
        """Whether the frame's bytes went straight to the socket (`realtime.wire`)."""
        return self._write is not None and self._write(frame.wire)

    def _send_now(self, message: dict[str, Any]) -> None:
        sending = self.base_send(message)
        try:
            waiting = sending.send(None)
        except StopIteration:
            return  # sent
        except OSError:  # the client is gone (uvicorn's ClientDisconnected)
            self.closed = True
            return
        except Exception:
            logger.exception("realtime: sending an event to a socket failed")
            return
        # The server waits before taking it (the client reads slowly): the rest of the
        # send, and what is pushed meanwhile, in a task.
        self._flusher = self.hub.loop.create_task(self._flush(_Resumed(sending, waiting)))

    async def _flush(self, sending: _Resumed | None = None) -> None:
        try:
            if sending is not None:
                await sending
            async with self._turn:
                while self._live and not self.closed:
                    await self.live_event(*self._live.popleft())
        except OSError:  # the client is gone (uvicorn's ClientDisconnected); its task ends
            self._live = None
        except Exception:
            logger.exception("realtime: sending an event to a socket failed")
            self._live = None
        finally:
            self._flusher = None
            if not self._live:
                self._live = None

    async def live_event(self, event_id: int, name: str, frame: Frame) -> None:
        """An event the hub pushed; sent once per socket."""
        if self.remember(event_id) and not self._written(frame):
            await self.base_send(frame.message)

    def remember(self, event_id: int) -> bool:
        """False if this socket already sent the event."""
        if event_id in self.delivered_set:
            return False
        if self.delivered is None:
            self.delivered = deque(maxlen=REMEMBERED)
        elif len(self.delivered) == REMEMBERED:
            self.delivered_set.discard(self.delivered[0])
        self.delivered.append(event_id)
        self.delivered_set.add(event_id)
        return True

    async def deliver(self, event_id: int, name: str, data: Any) -> None:
        """An event read from the outbox (a resume): sent unless it already was."""
        if self.remember(event_id):
            await self.send(text_data=event_text(event_id, name, data))
