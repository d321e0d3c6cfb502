"""The drain: records spooled events through their channels' recorders.

A batch of the events of the lanes this drain holds (oldest first; up to half of the
lanes waiting, so that another drain can take the rest at the same time) is recorded in one
transaction, without a savepoint per event, and leaves the spool in that same
transaction: recorded and removed together, or neither. If any event of the batch fails
(a provider's retry of an event recorded since, a bug, a bad payload), the batch is
rolled back and recorded again one event at a time, each in its own savepoint; an event
that still fails stays in the spool with its error and is tried again later
(spool.conf.retry_delay), while the lane goes on. A statement the database refuses is
such a failure too (the batch's writes are pipelined, so its error may surface at a later
event's statement); the database being down (the connection unusable after the rollback)
fails the whole drain, which is tried again later.

One drain at a time per lane: on PostgreSQL a transaction-level advisory lock, which the
drain of another process then skips (and names as busy); in a single-process SQLite
install a lock of this process. A sender's events share a lane, so they are recorded in
the order they were accepted.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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


@dataclass
class Drained:
    taken: int = 0  # recorded, found recorded before, or failed and postponed
    busy: list[int] = field(default_factory=list)  # lanes another drain held


def drain_lanes(lanes: Iterable[int], *, batch: int | None = None) -> Drained:
    """Record the due events of `lanes`, oldest first, until none is left. A batch takes
    the events of up to half of the lanes (at least one), those it can lock, starting
    where the last batch stopped: a flood spread over many senders still fills batches,
    and a second drain (another process's) takes the other half at the same time. Lanes
    another drain holds are left to it and named in the answer."""
    size = batch or conf.batch_size()
    drained = Drained()
    pending = sorted(set(lanes))
    while pending:
        share = max(1, (len(pending) + 1) // 2)
        taken, locked, busy = _drain_batch(_rotated(pending), share, size)
        drained.taken += taken
        drained.busy.extend(busy)
        done = set(busy) | (set(locked) if taken < size else set())  # locked and emptied
        pending = [lane for lane in pending if lane not in done]
    return drained


_turn = itertools.count(random.randrange(1 << 16))


def _rotated(lanes: list[int]) -> list[int]:
    """`lanes` starting at the next drain's turn: batches (and drains) take turns."""
    start = next(_turn) % len(lanes)
    return lanes[start:] + lanes[:start]


def drain_lane(lane: int, *, batch: int | None = None) -> int:
    """drain_lanes of one lane; LaneBusy if another drain holds it."""
    drained = drain_lanes([lane], batch=batch)
    if drained.busy:
        raise LaneBusy(lane)
    return drained.taken


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
        drained = drain_lanes(pending)
        taken += drained.taken
        if not drained.busy or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
        pending = drained.busy
    return taken


def _drain_batch(lanes: list[int], share: int, size: int) -> tuple[int, list[int], list[int]]:
    """One batch of up to `share` of `lanes`: (events taken, lanes locked, lanes busy)."""
    try:
        return _record_together(lanes, share, size)
    except Exception as exc:
        if isinstance(exc, DatabaseError) and (
            connection.connection is None or not connection.is_usable()
        ):
            raise  # the database is down or the connection is gone: try it all later
        logger.info("spool lanes %s: recording a batch together failed, one by one now",
                    lanes, exc_info=True)
    return _record_one_by_one(lanes, share, size)


def _record_together(lanes: list[int], share: int, size: int
                     ) -> tuple[int, list[int], list[int]]:
    with _lanes_transaction(lanes, share) as (locked, busy):
        events = _due(locked, size)
        senders = [(event.sender_kind, event.sender_value)
                   for event in events if event.sender_kind]
        with recording_together(senders), publishing_together():
            for event in events:
                recorder_named(event.handler)(event.payload)
        _remove([event.pk for event in events])
    logger.debug("spool: recorded %d events of lanes %s together", len(events), locked)
    return len(events), locked, busy


def _record_one_by_one(lanes: list[int], share: int, size: int
                       ) -> tuple[int, list[int], list[int]]:
    with _lanes_transaction(lanes, share) as (locked, busy):
        events = _due(locked, size)
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
    return len(events), locked, busy


@contextmanager
def _lanes_transaction(lanes: list[int], share: int
                       ) -> Iterator[tuple[list[int], list[int]]]:
    """A transaction holding the locks of up to `share` of `lanes` (in their order) that
    no other drain holds; yields (those locked, those tried and found busy)."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            locked = _try_locks(lanes, share)
            yield locked, _tried_busy(lanes, locked, share)
        return
    held: list[int] = []
    for lane in lanes:
        if len(held) == share:
            break
        if _local_lock(lane).acquire(blocking=False):
            held.append(lane)
    try:
        with transaction.atomic():
            yield held, _tried_busy(lanes, held, share)
    finally:
        for lane in held:
            _local_lock(lane).release()


def _try_locks(lanes: list[int], share: int) -> list[int]:
    """Up to `share` of `lanes` whose advisory lock this transaction took, tried in
    order; a lane another drain holds is skipped, never waited for. (The LIMIT stops
    the scan of the array: no lock is taken past the share.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lane FROM unnest(%s::integer[]) AS l(lane) "
            "WHERE pg_try_advisory_xact_lock(%s, lane) LIMIT %s",
            [lanes, _LOCK_SPACE, share],
        )
        return [lane for (lane,) in cursor.fetchall()]


def _tried_busy(lanes: list[int], locked: list[int], share: int) -> list[int]:
    """The lanes tried before the share was full and found held by another drain."""
    tried = lanes if len(locked) < share else lanes[: lanes.index(locked[-1]) + 1]
    taken = set(locked)
    return [lane for lane in tried if lane not in taken]


def _local_lock(lane: int) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(lane, threading.Lock())


def _due(lanes: list[int], size: int) -> list[SpooledEvent]:
    if not lanes:
        return []
    now = timezone.now()
    return list(
        SpooledEvent.objects.filter(lane__in=lanes)
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
