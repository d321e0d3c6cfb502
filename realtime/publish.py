"""The one realtime chokepoint. Only action modules call `publish`, inside their transaction.

The event rows and their audience rows are written with the change; the socket sends
happen only after commit. What may reach a chat visitor is decided here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from realtime.audience import Audience
from realtime.dispatch import dispatch
from realtime.events import ALL, VISITOR_SAFE
from realtime.models import RealtimeEvent
from realtime.rows import insert_rows

LAYER_MESSAGE_TYPE = "realtime.event"
LAYER_BATCH_TYPE = "realtime.events"


class AudienceError(ValueError):
    """An event addressed to someone who must never receive it."""


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    audience: Audience


@dataclass
class _Held:
    """Events of several changes, written together when the block ends."""

    events: list[tuple[str, dict[str, Any], list[str]]] = field(default_factory=list)


_held: ContextVar[_Held | None] = ContextVar("realtime_held", default=None)


def publish(name: str, payload: dict[str, Any], audience: Audience) -> RealtimeEvent:
    return publish_many([Event(name, payload, audience)])[0]


def publish_many(events: list[Event]) -> list[RealtimeEvent]:
    """Several events of one change, written in one statement (realtime.rows), sent in
    order on commit (consecutive ones with the same audience in one layer message).
    Inside publishing_together() they are written with the block's others when it ends;
    the rows returned have no id until then."""
    for event in events:
        check_event(event)
    items = [(event.name, event.payload, event.audience.groups()) for event in events]
    held = _held.get()
    if held is not None:
        held.events.extend(items)
        return [RealtimeEvent(name=name, payload=payload) for name, payload, _ in items]
    return _write(items)


@contextmanager
def publishing_together() -> Iterator[None]:
    """Events published in this block (several changes of one transaction: the spool's
    batch of inbound events) are written in one statement when it ends without an
    error, and sent in order on commit. An error drops them with the transaction."""
    held = _Held()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held.events:
        _write(held.events)


def _write(items: list[tuple[str, dict[str, Any], list[str]]]) -> list[RealtimeEvent]:
    with transaction.atomic(savepoint=False):
        rows = insert_rows(items)
    sends = _runs([(groups, row) for (_, _, groups), row in zip(items, rows, strict=True)])

    def send_all() -> None:
        for groups, run in sends:
            dispatch(groups, layer_message(*run))

    transaction.on_commit(send_all)
    return rows


def check_event(event: Event) -> None:
    if event.name not in ALL:
        raise ValueError(f"unknown realtime event {event.name!r}")
    if not event.audience.groups():
        raise AudienceError(f"{event.name} is addressed to nobody")
    if not event.audience.reaches_visitor:
        return
    if event.name not in VISITOR_SAFE:
        raise AudienceError(f"{event.name} is for agents only; it cannot reach a visitor")
    if any(_is_internal(item) for item in _objects_in(event.payload)):
        raise AudienceError(f"{event.name} carries an internal note or event; not for a visitor")


def _objects_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a payload, the payload itself included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects_in(item)


def _is_internal(obj: dict[str, Any]) -> bool:
    # An interaction wherever it sits in the payload (conversations.payloads' shape):
    # notes and system events are direction "internal", a note is also kind "note".
    if "direction" not in obj:
        return False
    return obj["direction"] == "internal" or obj.get("kind") == "note"


# Events per layer message at most: a bulk change's hundreds of events go in several.
BATCH_MAX = 20


def _runs(
    sends: list[tuple[list[str], RealtimeEvent]],
) -> list[tuple[list[str], list[RealtimeEvent]]]:
    """Consecutive events with the same groups, together: one layer message per group
    for all of them, so each socket gets them in one write (`realtime.hub`)."""
    runs: list[tuple[list[str], list[RealtimeEvent]]] = []
    for groups, row in sends:
        if runs and runs[-1][0] == groups and len(runs[-1][1]) < BATCH_MAX:
            runs[-1][1].append(row)
        else:
            runs.append((groups, [row]))
    return runs


def layer_message(*events: RealtimeEvent) -> dict[str, Any]:
    """One event, or several in order (LAYER_BATCH_TYPE)."""
    if len(events) == 1:
        return {"type": LAYER_MESSAGE_TYPE, **_event_fields(events[0])}
    return {"type": LAYER_BATCH_TYPE, "events": [_event_fields(event) for event in events]}


def _event_fields(event: RealtimeEvent) -> dict[str, Any]:
    return {"id": event.pk, "event": event.name, "data": event.payload}
