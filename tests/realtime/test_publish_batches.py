"""One commit's events with the same audience go to the channel layer as one message per
group (realtime.publish), and a socket writes them in one go (realtime.socket_base): one
system call per socket for the lot instead of one per event."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.db import transaction

from realtime import events, publish
from realtime.audience import Audience
from realtime.publish import BATCH_MAX, Event, publish_many
from realtime.socket_base import JsonSocketConsumer
from realtime.wire import Batch, event_frame


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, Any]]]:
    """What publish hands to the channel layer, in order."""
    calls: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(publish, "dispatch", lambda groups, message: calls.append(
        (groups, message)))
    return calls


@pytest.mark.django_db(transaction=True)
def test_consecutive_events_with_one_audience_are_one_layer_message(
    team_a: Any, team_b: Any, sent: list[tuple[list[str], dict[str, Any]]]
) -> None:
    team, other = Audience.of([team_a.pk]), Audience.of([team_b.pk])
    with transaction.atomic():
        rows = publish_many([
            Event(events.INTERACTION_CREATED, {"n": 1}, team),
            Event(events.CONVERSATION_UPDATED, {"n": 2}, team),
            Event(events.CONVERSATION_UPDATED, {"n": 3}, other),
        ])
    first, second, third = rows
    assert sent == [
        (["staff", f"team.{team_a.pk}"], {"type": "realtime.events", "events": [
            {"id": first.pk, "event": "interaction.created", "data": {"n": 1}},
            {"id": second.pk, "event": "conversation.updated", "data": {"n": 2}},
        ]}),
        (["staff", f"team.{team_b.pk}"], {"type": "realtime.event", "id": third.pk,
                                          "event": "conversation.updated", "data": {"n": 3}}),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_changes_events_go_in_messages_of_at_most_batch_max(
    team_a: Any, sent: list[tuple[list[str], dict[str, Any]]]
) -> None:
    team = Audience.of([team_a.pk])
    with transaction.atomic():
        rows = publish_many([Event(events.CONVERSATION_UPDATED, {"n": n}, team)
                             for n in range(BATCH_MAX + 1)])
    assert [len(message.get("events", [message])) for _, message in sent] == [BATCH_MAX, 1]
    sent_ids = [event["id"] for _, message in sent for event in message.get("events", [message])]
    assert sent_ids == [row.pk for row in rows]


class _Socket(JsonSocketConsumer):
    """A socket as `__call__` sets it up, writing to a list instead of a server."""

    def __init__(self, *, writes: bool) -> None:
        super().__init__()
        self.closed, self._flusher, self._live = False, None, None
        self.delivered, self.delivered_set = None, set()
        self.written: list[bytes] = []
        self.asgi: list[str] = []

        def write(wire: bytes) -> bool:
            self.written.append(wire)
            return True

        async def send(message: dict[str, Any]) -> None:
            self.asgi.append(message["text"])

        self._write = write if writes else None
        self.base_send = send


def _batch(*ids: int) -> Batch:
    return Batch(tuple((n, "conversation.updated", event_frame(n, "conversation.updated",
                                                               {"n": n})) for n in ids))


def test_a_socket_writes_a_batch_at_once_and_only_what_it_has_not_sent() -> None:
    async def scenario() -> _Socket:
        sock = _Socket(writes=True)
        sock._turn = asyncio.Lock()
        sock.push(_batch(1, 2))
        sock.push(_batch(1, 2))  # the same events through the socket's other group
        sock.push(_batch(2, 3))
        return sock

    sock = asyncio.run(scenario())
    assert sock.written == [_batch(1, 2).wire, _batch(3).wire]
    assert sock.asgi == []


def test_without_direct_writes_a_batch_goes_frame_by_frame_in_order() -> None:
    async def scenario() -> _Socket:
        sock = _Socket(writes=False)
        sock._turn = asyncio.Lock()
        sock.hub = type("FakeHub", (), {"loop": asyncio.get_running_loop()})()
        sock.push(_batch(1, 2))
        sock.push(_batch(2, 3))
        sock.push(_batch(4))
        while sock._flusher is not None:
            await asyncio.sleep(0)
        return sock

    sock = asyncio.run(scenario())
    assert sock.asgi == [event_frame(n, "conversation.updated", {"n": n}).text
                         for n in (1, 2, 3, 4)]
