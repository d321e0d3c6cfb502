"""The one realtime chokepoint. Only action modules call `publish`, inside their transaction.

The event row is written with the change; the socket send happens only after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from realtime.audience import Audience
from realtime.dispatch import dispatch
from realtime.events import ALL
from realtime.models import RealtimeEvent

LAYER_MESSAGE_TYPE = "realtime.event"


def publish(name: str, payload: dict[str, Any], audience: Audience) -> RealtimeEvent:
    if name not in ALL:
        raise ValueError(f"unknown realtime event {name!r}")
    event = RealtimeEvent.objects.create(
        name=name,
        payload=payload,
        team_ids=sorted(audience.team_ids),
        user_ids=sorted(audience.user_ids),
    )
    message = layer_message(event)
    groups = audience.groups()
    transaction.on_commit(lambda: dispatch(groups, message))
    return event


def layer_message(event: RealtimeEvent) -> dict[str, Any]:
    return {
        "type": LAYER_MESSAGE_TYPE,
        "id": event.pk,
        "event": event.name,
        "data": event.payload,
        "team_ids": event.team_ids,
        "user_ids": event.user_ids,
    }
