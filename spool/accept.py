"""Accepting an event into the spool: one INSERT, and the drain is woken on commit."""

from __future__ import annotations

import zlib

from django.db import transaction

from omnidesk.fastsql import insert_row
from spool import conf
from spool.drainer import drained_by_processes, wake
from spool.handlers import Payload
from spool.listener import CHANNEL
from spool.models import SpooledEvent

_DEDUPE = "(handler, dedupe_key)"


def lane_of(key: str) -> int:
    """The lane of a sender: the same for every event of theirs, in every process."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % conf.lanes()


def spool_event(
    handler: str,
    payload: Payload,
    *,
    sender_kind: str,
    sender_value: str,
    dedupe_key: str | None = None,
) -> bool:
    """Keep the event for the drain. The sender (an identity's kind and normalized value,
    as the event will name it) chooses the lane, so one sender's events are recorded in
    the order they were accepted, and lets the drain lock a batch's senders at once;
    `dedupe_key` (the provider's event id) makes a retry while the first copy still waits
    a no-op. False: that copy was already waiting."""
    event = SpooledEvent(
        handler=handler,
        lane=lane_of(sender_value),
        sender_kind=sender_kind,
        sender_value=sender_value,
        dedupe_key=dedupe_key,
        payload=payload,
    )
    lane = event.lane
    # For drain processes, the INSERT itself sends the NOTIFY (delivered on commit): one
    # round trip, not two.
    notify = (CHANNEL, str(lane)) if drained_by_processes() else None
    if not insert_row(event, on_conflict=_DEDUPE, notify=notify):
        return False
    if notify is None:
        transaction.on_commit(lambda: wake(lane))
    return True
