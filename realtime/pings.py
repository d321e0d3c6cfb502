"""Agent sockets' pings, answered together: the heartbeat (presence) and the "behind"
check of every ping that waits, in one trip to the database.

Each ping used to take two trips through the process's one thread for synchronous code
(`do_heartbeat`, then `has_missed`), the thread every view and every socket's database
work shares: 40 pings a second at 1,000 sockets, 400 at 10,000. Here the first ping
starts a batch on the next turn of the event loop; the pings that arrive meanwhile, and
while that batch is at the database, join it or the next one. A batch is one
`database_sync_to_async` call: `do_heartbeats` (one statement for all of its agents) and
`newest_in_groups` (one query for all of its groups).

A process that wrote an agent's heartbeat less than `HEARTBEAT_WRITE_SECONDS` ago does not
ask again (the agent's other tabs), exactly as the database's own condition would find
nothing to write; a heartbeat written by another process is still checked there.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from agents.actions.presence import HEARTBEAT_WRITE_SECONDS, do_heartbeats
from realtime.queries import newest_in_groups


@dataclass(frozen=True)
class Ping:
    user_id: int
    groups: tuple[str, ...]
    last: int | None  # the client's newest event id, when it asked whether it is behind
    answer: asyncio.Future[bool | None] = field(compare=False)


def _answer(heartbeats: set[int], groups: set[str]) -> tuple[set[int], dict[str, int]]:
    return do_heartbeats(heartbeats), newest_in_groups(groups)


class Pings:
    """The pings of one event loop's sockets."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: list[Ping] = []
        self.written: dict[int, float] = {}  # user id -> monotonic time this process wrote
        self._task: asyncio.Task[None] | None = None

    async def ping(self, user_id: int, groups: list[str], last: int | None) -> bool | None:
        """Records the agent's heartbeat; with `last`, whether an event of `groups` lies
        after it (None without)."""
        ping = Ping(user_id, tuple(groups), last, self.loop.create_future())
        self.waiting.append(ping)
        if self._task is None:
            self._task = self.loop.create_task(self._run())
        return await ping.answer

    async def _run(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                await self._answer(batch)
        finally:
            self._task = None

    async def _answer(self, batch: list[Ping]) -> None:
        now = time.monotonic()
        due = {p.user_id for p in batch
               if now - self.written.get(p.user_id, -HEARTBEAT_WRITE_SECONDS)
               >= HEARTBEAT_WRITE_SECONDS}
        groups = {group for p in batch if p.last is not None for group in p.groups}
        try:
            written, newest = await database_sync_to_async(_answer)(due, groups)
        except Exception as error:
            for p in batch:
                if not p.answer.done():
                    p.answer.set_exception(error)
            return
        for user_id in written:
            self.written[user_id] = now
        if len(self.written) > 4 * len(batch) + 10_000:  # agents long gone
            self.written = {u: t for u, t in self.written.items()
                            if now - t < HEARTBEAT_WRITE_SECONDS}
        for p in batch:
            if p.answer.done():  # the socket went away meanwhile
                continue
            behind = None if p.last is None else any(
                newest.get(group, 0) > p.last for group in p.groups)
            p.answer.set_result(behind)


_pings: dict[asyncio.AbstractEventLoop, Pings] = {}


def pings() -> Pings:
    loop = asyncio.get_running_loop()
    found = _pings.get(loop)
    if found is None:
        for old in [other for other in _pings if other.is_closed()]:
            del _pings[old]
        found = _pings[loop] = Pings(loop)
    return found
