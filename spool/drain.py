"""The drain: records a lane's spooled events through their channels' recorders.

A batch of a lane's events (oldest first) is recorded in one transaction, without a
savepoint per event, and leaves the spool in that same transaction: recorded and
removed together, or neither. If any event of the batch fails (a provider's retry of an
event recorded since, a bug, a bad payload), the batch is rolled back and recorded again
one event at a time, each in its own savepoint; an event that still fails stays in the
spool with its error and is tried again later (spool.conf.retry_delay), while the lane
goes on. The database being down fails the whole drain, which is tried again later.

One drain at a time per lane: on PostgreSQL a transaction-level advisory lock, which
the drain of another process then skips (LaneBusy); in a single-process SQLite install
a lock of this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from conversations.actions.ingest import recording_together
from realtime.publish import publishing_together
from spool import conf
from spool.handlers import recorder_named
from spool.models import SpooledEvent

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(key1, key2): key1 names the spool ("SP"), key2 is the lane.
_LOCK_SPACE = 0x5350
_local_locks: dict[int, threading.Lock] = {}
_local_locks_guard = threading.Lock()


class LaneBusy(Exception):
    """Another drain is recording this lane; it records what this one would have."""


def drain_lane(lane: int, *, batch: int | None = None) -> int:
    """Record the lane's due events, oldest first, until none is left; returns how many
    were taken (recorded, found recorded before, or failed and postponed)."""
    size = batch or conf.batch_size()
    total = 0
    while True:
        taken = _drain_batch(lane, size)
        total += taken
        if taken < size:
            return total


def lanes_waiting() -> list[int]:
    return sorted(set(SpooledEvent.objects.values_list("lane", flat=True).distinct()))


def drain_waiting(*, wait: float = 0.0) -> int:
    """Drain every lane with events; returns how many were taken. A lane another drain
    holds is left to it, or, with `wait`, tried again until it is free or `wait`
    seconds have passed (someone who needs the event recorded now: the inbox test)."""
    deadline = time.monotonic() + wait
    taken = 0
    pending = lanes_waiting()
    while pending:
        busy = []
        for lane in pending:
            try:
                taken += drain_lane(lane)
            except LaneBusy:
                busy.append(lane)
        if not busy or time.monotonic() >= deadline:
            return taken
        time.sleep(0.01)
        pending = busy
    return taken


def _drain_batch(lane: int, size: int) -> int:
    try:
        return _record_together(lane, size)
    except (LaneBusy, DatabaseError):
        raise  # DatabaseError: the database is down or the lock is gone, try it all later
    except Exception:
        logger.info("spool lane %s: recording a batch together failed, one by one now",
                    lane, exc_info=True)
    return _record_one_by_one(lane, size)


def _record_together(lane: int, size: int) -> int:
    with _lane_transaction(lane):
        events = _due(lane, size)
        with recording_together(), publishing_together():
            for event in events:
                recorder_named(event.handler)(event.payload)
        _remove([event.pk for event in events])
    return len(events)


def _record_one_by_one(lane: int, size: int) -> int:
    with _lane_transaction(lane):
        events = _due(lane, size)
        recorded = []
        for event in events:
            try:
                with transaction.atomic():
                    recorder_named(event.handler)(event.payload)
            except DatabaseError as exc:
                if connection.needs_rollback or not connection.is_usable():
                    raise
                _postpone(event, exc)
            except Exception as exc:
                _postpone(event, exc)
            else:
                recorded.append(event.pk)
        _remove(recorded)
    return len(events)


@contextmanager
def _lane_transaction(lane: int) -> Iterator[None]:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, lane])
                if not cursor.fetchone()[0]:
                    raise LaneBusy(lane)
            yield
        return
    lock = _local_lock(lane)
    if not lock.acquire(blocking=False):
        raise LaneBusy(lane)
    try:
        with transaction.atomic():
            yield
    finally:
        lock.release()


def _local_lock(lane: int) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(lane, threading.Lock())


def _due(lane: int, size: int) -> list[SpooledEvent]:
    now = timezone.now()
    return list(
        SpooledEvent.objects.filter(lane=lane)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .order_by("id")[:size]
    )


def _remove(ids: list[int]) -> None:
    if ids:
        SpooledEvent.objects.filter(pk__in=ids).delete()


def _postpone(event: SpooledEvent, exc: BaseException) -> None:
    attempts = event.attempts + 1
    logger.error("spool: %s failed (attempt %d), kept for a later attempt: %r",
                 event, attempts, exc, exc_info=exc)
    SpooledEvent.objects.filter(pk=event.pk).update(
        attempts=attempts,
        retry_at=timezone.now() + conf.retry_delay(attempts),
        last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
    )
