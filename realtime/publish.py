"""The one realtime chokepoint. Only action modules call `publish`, inside their transaction.

The event rows are written with the change; the socket sends happen only after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from realtime.audience import Audience
from realtime.dispatch import dispatch
from realtime.events import ALL
from realtime.models import RealtimeEvent

LAYER_MESSAGE_TYPE = "realtime.event"


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    audience: Audience


def publish(name: str, payload: dict[str, Any], audience: Audience) -> RealtimeEvent:
    return publish_many([Event(name, payload, audience)])[0]


def publish_many(events: list[Event]) -> list[RealtimeEvent]:
    """Several events of one change, written in one statement, sent in order on commit."""
    for event in events:
        if event.name not in ALL:
            raise ValueError(f"unknown realtime event {event.name!r}")
    rows = RealtimeEvent.objects.bulk_create(
        [
            RealtimeEvent(
                name=event.name,
                payload=event.payload,
                team_ids=sorted(event.audience.team_ids),
                user_ids=sorted(event.audience.user_ids),
            )
            for event in events
        ]
    )
    sends = [
        (event.audience.groups(), layer_message(row))
        for event, row in zip(events, rows, strict=True)
    ]

    def send_all() -> None:
        for groups, message in sends:
            dispatch(groups, message)

    transaction.on_commit(send_all)
    return rows


def layer_message(event: RealtimeEvent) -> dict[str, Any]:
    return {
        "type": LAYER_MESSAGE_TYPE,
        "id": event.pk,
        "event": event.name,
        "data": event.payload,
        "team_ids": event.team_ids,
        "user_ids": event.user_ids,
    }
