"""The sockets' side of the channel layer: one layer channel per process for every socket
group, and the fan-out of each message to the sockets of this process that joined its group.

Channels gives every consumer a channel of its own: a Redis subscription, a queue and a
task waiting on it. Each event then reached each socket through two task switches, was
deserialized once per socket and encoded to JSON once per socket (bench/sockets.py: at
1,000 agent sockets, 0.3 s until the last of them had the frame). The hub joins each
group once (when the first socket of this process joins it, through the layer's own
`group_add`, so Redis pub/sub or the in-memory layer both work), receives each message
once, encodes each event's frame once (its text, its ASGI message and its wire bytes:
`realtime.wire`), and hands it to the sockets of that group (`Member.push`), which send
it in their own turn (`realtime.socket_base`). The events of one commit with the same
audience come in one message (`realtime.publish`): a socket writes them at once, one
system call per socket rather than one per event (that call is about half of a socket's
share of a fan-out: bench/scaleout.py).

The layer messages that reach the hub name their group (`realtime.dispatch` adds it): the
same event sent to two groups arrives twice, and each socket keeps its own de-duplication
by event id. There is one hub per event loop, like the layer's own connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import Any, Protocol

from channels.layers import get_channel_layer

from realtime.layer import LAYER_ERRORS
from realtime.wire import Batch, Frame, event_frame

logger = logging.getLogger(__name__)

# Frames kept by event id: an event addressed to several groups arrives once per group.
FRAMES_KEPT = 256
RECEIVE_RETRY_SECONDS = 1.0
# A group the process holds is asked of the layer again after this long (the in-memory
# layer forgets a group a day after it was added).
REASK_SECONDS = 3600.0


class Member(Protocol):
    def push(self, batch: Batch) -> None:
        """Called on the hub's task for each message of a joined group; must not block."""


class Hub:
    def __init__(self, layer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.layer = layer
        self.loop = loop
        self.channel: str | None = None
        self.members: dict[str, set[Member]] = {}
        self.frames: OrderedDict[int, Frame] = OrderedDict()
        self.batches: OrderedDict[tuple[int, ...], Batch] = OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        # group → the layer's group_add for it, and when it was asked (loop time).
        self._asked: dict[str, tuple[asyncio.Task[None], float]] = {}

    async def _open(self) -> str:
        """The hub's channel, created by the first join (raises the layer's errors)."""
        async with self._opening:
            if self.channel is None:
                self.channel = await self.layer.new_channel(prefix="sockets.")
                self._task = self.loop.create_task(self._receive(self.channel))
            return self.channel

    async def join(self, group: str, member: Member) -> None:
        """`member` gets the events of `group` once this returns; raises the layer's
        errors (the member is then not in the group)."""
        channel = await self._open()
        self.members.setdefault(group, set()).add(member)
        try:
            await self._subscribed(group, channel)
        except BaseException:
            await self.leave(group, member)
            raise

    async def _subscribed(self, group: str, channel: str) -> None:
        """Returns once the layer delivers `group`'s messages to this process. The first
        join of a group asks the layer; joins meanwhile wait for the same answer, and
        later ones do not ask again. Every ask took the layer's one lock per Redis
        connection, so when 1,000 agents signed in at once (a restart, the morning) their
        joins queued behind one another and behind the events being sent, long enough to
        be taken for an unreachable layer (bench/scaleout.py). A failed ask is made again
        by the next join, and a group is asked again after `REASK_SECONDS`, for a layer
        that forgets idle groups (the in-memory layer's expiry)."""
        asked = self._asked.get(group)
        now = self.loop.time()
        if asked is None or self._stale(asked, now):
            task = self.loop.create_task(self.layer.group_add(group, channel))
            # Its error is the waiting joins'; read here too, for when they all gave up.
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            asked = self._asked[group] = (task, now)
        await asyncio.shield(asked[0])

    @staticmethod
    def _stale(asked: tuple[asyncio.Task[None], float], now: float) -> bool:
        task, at = asked
        if not task.done():
            return False
        return task.cancelled() or task.exception() is not None or now - at > REASK_SECONDS

    async def leave(self, group: str, member: Member) -> None:
        members = self.members.get(group)
        if members is None or member not in members:
            return
        members.discard(member)
        if not members:
            del self.members[group]
            self._asked.pop(group, None)
            if self.channel is not None:
                # When the layer is down it forgets the subscription anyway.
                with contextlib.suppress(*LAYER_ERRORS):
                    await self.layer.group_discard(group, self.channel)

    def forget(self, member: Member, groups: list[str]) -> None:
        """Drops `member` from `groups` (a socket that ended without leaving them)."""
        for group in groups:
            members = self.members.get(group)
            if members is not None and member in members:
                self.loop.create_task(self.leave(group, member))

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                logger.exception("realtime hub: receiving from the channel layer failed")
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            try:
                self.fan_out(message)
            except Exception:  # one bad message must not stop every socket's events
                logger.exception("realtime hub: could not hand a message to the sockets")

    def fan_out(self, message: dict[str, Any]) -> None:
        members = self.members.get(message.get("group", ""))
        if not members:
            return
        batch = self.batch(message.get("events") or [message])
        for member in list(members):
            member.push(batch)

    def batch(self, events: list[dict[str, Any]]) -> Batch:
        """The frames of a message's events, each encoded once however many groups the
        message was sent to."""
        key = tuple(event["id"] for event in events)
        found = self.batches.get(key)
        if found is None:
            found = self.batches[key] = Batch(
                tuple((event["id"], event["event"], self.frame(event)) for event in events))
            if len(self.batches) > FRAMES_KEPT:
                self.batches.popitem(last=False)
        return found

    def frame(self, event: dict[str, Any]) -> Frame:
        found = self.frames.get(event["id"])
        if found is None:
            found = self.frames[event["id"]] = event_frame(event["id"], event["event"],
                                                           event["data"])
            if len(self.frames) > FRAMES_KEPT:
                self.frames.popitem(last=False)
        return found


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        for old in [other for other in _hubs if other.is_closed()]:
            del _hubs[old]
        found = _hubs[loop] = Hub(get_channel_layer(), loop)
    return found
