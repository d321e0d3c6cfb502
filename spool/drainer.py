"""The drainer: one thread per process that drains the lanes this process spooled into.

`wake(lane)` runs when a spooling transaction commits. The thread drains the lanes woken
so far together, at once (a batch takes events of all of them); a lane another process's
drain holds is tried again shortly (that drain may have looked before this event
committed). If the database fails, the lane waits and is tried again. A process that
dies with events spooled leaves them to the beat sweep (spool.tasks.drain_spool_task),
which drains every lane with events.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 0.02
FAILURE_RETRY_SECONDS = 2.0


class Drainer:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._due: list[tuple[float, int]] = []  # (monotonic time, lane), a heap
        self._queued: set[int] = set()  # lanes in _due
        self._thread: threading.Thread | None = None
        self._stopping = False

    def wake(self, lane: int, delay: float = 0.0) -> None:
        with self._condition:
            if lane not in self._queued:
                self._queued.add(lane)
                heapq.heappush(self._due, (time.monotonic() + delay, lane))
            elif delay == 0.0:
                self._due = [(0.0 if queued == lane else at, queued) for at, queued in self._due]
                heapq.heapify(self._due)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="spool-drainer", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def stop(self) -> None:
        """Let the thread end once the lane it drains is done (a listener stopping)."""
        with self._condition:
            self._stopping = True
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _next(self) -> list[int] | None:
        """Every lane due now (waiting until one is); None once stopping."""
        with self._condition:
            while not self._stopping:
                if self._due:
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        return self._pop_due()
                    self._condition.wait(wait)
                else:
                    self._condition.wait()
            return None

    def _pop_due(self) -> list[int]:
        now = time.monotonic()
        lanes = []
        while self._due and self._due[0][0] <= now:
            _at, lane = heapq.heappop(self._due)
            self._queued.discard(lane)
            lanes.append(lane)
        return lanes

    def _idle(self) -> bool:
        with self._condition:
            return not self._due or self._due[0][0] > time.monotonic()

    def _run(self) -> None:
        from spool.drain import drain_lanes

        while True:
            lanes = self._next()
            if lanes is None:
                connection.close()
                return
            try:
                drained = drain_lanes(lanes)
            except Exception:
                logger.exception("spool: draining lanes %s failed; trying again", lanes)
                for lane in lanes:
                    self.wake(lane, FAILURE_RETRY_SECONDS)
                connection.close()  # a broken connection is replaced next time
            else:
                for lane in drained.busy:  # its drain may have looked before our commit
                    self.wake(lane, BUSY_RETRY_SECONDS)
            if self._idle():
                close_old_connections()
                connection.close()  # back to the pool while there is nothing to do


_drainer = Drainer()


def drained_by_processes() -> bool:
    """OMNIDESK_SPOOL_DRAIN=process: `manage.py drain_spool` processes drain, woken by
    a NOTIFY (spool.listener); otherwise each process's own thread does."""
    return settings.OMNIDESK_SPOOL_DRAIN == "process" and connection.vendor == "postgresql"


def wake(lane: int) -> None:
    """Have this process's thread drain `lane` now (called once its new event has
    committed). With drain processes the spooling INSERT sends their NOTIFY itself
    (spool.accept)."""
    _drainer.wake(lane)
