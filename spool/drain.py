"""The drain: records spooled events through their channels' recorders.

A batch of the events of the lanes this drain holds (oldest first) is recorded in one
transaction, without a savepoint per event, and leaves the spool in that same
transaction: recorded and removed together, or neither. If any event of the batch fails
(a provider's retry of an event recorded since, a bug, a bad payload), the batch is
rolled back and recorded again one event at a time, each in its own savepoint; an event
that still fails stays in the spool with its error and is tried again later
(spool.conf.retry_delay), while the lane goes on. The database being down fails the
whole drain, which is tried again later.

One drain at a time per lane: on PostgreSQL a transaction-level advisory lock, which the
drain of another process then skips (and names as busy); in a single-process SQLite
install a lock of this process. A sender's events share a lane, so they are recorded in
the order they were accepted.
"""

from __future__ import annotations

import logging
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
    """Record the due events of `lanes`, oldest first, until none is left: a batch takes
    events of every lane this drain could lock (a flood spread over many senders still
    fills batches). Lanes another drain holds are left to it and named in the answer."""
    size = batch or conf.batch_size()
    drained = Drained()
    pending = sorted(set(lanes))
    while pending:
        taken, busy = _drain_batch(pending, size)
        drained.taken += taken
        drained.busy.extend(busy)
        pending = [lane for lane in pending if lane not in busy]
        if taken < size:
            break
    return drained


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


def _drain_batch(lanes: list[int], size: int) -> tuple[int, list[int]]:
    """One batch: (events taken, lanes found busy)."""
    try:
        return _record_together(lanes, size)
    except DatabaseError:
        raise  # the database is down or the connection is gone: try it all later
    except Exception:
        logger.info("spool lanes %s: recording a batch together failed, one by one now",
                    lanes, exc_info=True)
    return _record_one_by_one(lanes, size)


def _record_together(lanes: list[int], size: int) -> tuple[int, list[int]]:
    with _lanes_transaction(lanes) as locked:
        events = _due(locked, size)
        with recording_together(), publishing_together():
            for event in events:
                recorder_named(event.handler)(event.payload)
        _remove([event.pk for event in events])
    logger.debug("spool: recorded %d events of lanes %s together", len(events), locked)
    return len(events), [lane for lane in lanes if lane not in locked]


def _record_one_by_one(lanes: list[int], size: int) -> tuple[int, list[int]]:
    with _lanes_transaction(lanes) as locked:
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
    return len(events), [lane for lane in lanes if lane not in locked]


@contextmanager
def _lanes_transaction(lanes: list[int]) -> Iterator[list[int]]:
    """A transaction holding the locks of those of `lanes` no other drain holds; yields
    them (maybe none)."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield _try_locks(lanes)
        return
    held = [lane for lane in lanes if _local_lock(lane).acquire(blocking=False)]
    try:
        with transaction.atomic():
            yield held
    finally:
        for lane in held:
            _local_lock(lane).release()


def _try_locks(lanes: list[int]) -> list[int]:
    """Those of `lanes` whose advisory lock this transaction took; a lane another drain
    holds is skipped, never waited for."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lane FROM unnest(%s::integer[]) WITH ORDINALITY AS l(lane, place) "
            "WHERE pg_try_advisory_xact_lock(%s, lane) ORDER BY place",
            [lanes, _LOCK_SPACE],
        )
        return [lane for (lane,) in cursor.fetchall()]


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
