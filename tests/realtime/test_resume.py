"""Resume reads a socket's own events by index, pages with has_more, and the heartbeat
tells a client when it is behind; pruning drops old events with their audience."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from realtime import events
from realtime.audience import Audience
from realtime.models import RealtimeEvent, RealtimeEventGroup
from realtime.publish import Event, publish_many
from realtime.queries import missed_events
from realtime.tasks import prune_events_task
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for


def _publish(audience: Audience, count: int, label: str) -> list[int]:
    with transaction.atomic():
        rows = publish_many(
            [Event(events.CONVERSATION_UPDATED, {"label": f"{label}-{i}"}, audience)
             for i in range(count)]
        )
    return [row.pk for row in rows]


@pytest.mark.django_db
def test_resume_finds_what_lies_beyond_thousands_of_invisible_events(
    agent_a, team_a, team_b, django_assert_num_queries
):
    first = _publish(Audience.team(team_a.pk), 1, "before")[0]
    _publish(Audience.team(team_b.pk), 5000, "other team")
    mine = _publish(Audience.team(team_a.pk), 2, "mine")
    groups = [f"agent.{agent_a.pk}", f"team.{team_a.pk}"]

    with django_assert_num_queries(1):
        page = missed_events(groups=groups, since=first)

    assert [e["id"] for e in page.events] == mine
    assert [e["data"]["label"] for e in page.events] == ["mine-0", "mine-1"]
    assert (page.has_more, page.next_since) == (False, mine[-1])


@pytest.mark.django_db
def test_resume_pages_by_next_since_and_counts_an_event_of_two_groups_once(agent_a, team_a):
    ids = _publish(Audience.of([team_a.pk], [agent_a.pk]), 7, "both")
    groups = ["staff", f"agent.{agent_a.pk}", f"team.{team_a.pk}"]
    pages = []
    since = 0
    while True:
        page = missed_events(groups=groups, since=since, limit=3)
        pages.append(([e["id"] for e in page.events], page.has_more, page.next_since))
        if not page.has_more:
            break
        since = page.next_since
    assert pages == [
        (ids[0:3], True, ids[2]),
        (ids[3:6], True, ids[5]),
        (ids[6:7], False, ids[6]),
    ]
    empty = missed_events(groups=groups, since=ids[-1])
    assert (empty.events, empty.has_more, empty.next_since) == ([], False, ids[-1])


@pytest.mark.django_db(transaction=True)
def test_a_socket_pages_through_what_it_missed_and_its_heartbeat_says_when_it_is_behind(
    agent_a, team_a, team_b
):
    cookie = session_cookie_for(agent_a)
    mine = _publish(Audience.team(team_a.pk), 5, "mine")
    _publish(Audience.team(team_b.pk), 3, "theirs")

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        await sock.send_json_to({"type": "ping", "last": mine[-1]})
        assert await sock.receive_json_from() == {"type": "pong", "behind": False}
        await sock.send_json_to({"type": "ping", "last": mine[1]})
        assert await sock.receive_json_from() == {"type": "pong", "behind": True}
        await sock.send_json_to({"type": "ping"})
        assert await sock.receive_json_from() == {"type": "pong"}

        await sock.send_json_to({"type": "resume", "since": 0, "limit": 3})
        first = await receive_events(sock, 3)
        assert await sock.receive_json_from() == {
            "type": "resumed", "since": 0, "count": 3, "has_more": True, "next_since": mine[2]}
        await sock.send_json_to({"type": "resume", "since": mine[2], "limit": 3})
        second = await receive_events(sock, 2)
        assert await sock.receive_json_from() == {
            "type": "resumed", "since": mine[2], "count": 2, "has_more": False,
            "next_since": mine[4]}
        assert [e["id"] for e in first + second] == mine

        for bad, error in (
            ({"type": "resume", "since": "x"}, "since must be an event id"),
            ({"type": "resume", "since": 0, "limit": 0}, "limit must be a positive whole number"),
            ({"type": "resume", "since": 0, "limit": "all"},
             "limit must be a positive whole number"),
            ({"type": "ping", "last": 2**70}, "last must be an event id"),
            ({"type": "ping", "last": True}, "last must be an event id"),
        ):
            await sock.send_json_to(bad)
            assert await sock.receive_json_from() == {"type": "error", "error": error}
        await sock.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db
def test_pruning_drops_old_events_with_their_audience_and_keeps_recent_ones(team_a):
    old = _publish(Audience.of([team_a.pk]), 2, "old")
    recent = _publish(Audience.of([team_a.pk]), 1, "recent")
    RealtimeEvent.objects.filter(pk__in=old).update(created_at=timezone.now() - timedelta(days=3))

    assert prune_events_task() == 2

    assert list(RealtimeEvent.objects.values_list("pk", flat=True)) == recent
    assert sorted(RealtimeEventGroup.objects.values_list("event_id", "group")) == [
        (recent[0], "staff"), (recent[0], f"team.{team_a.pk}")]
