"""Heartbeats of many sockets at once (`do_heartbeats`, what `realtime.pings` calls for
the pings that wait together): the same writes and presence changes as one
`do_heartbeat` per agent, in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agents.actions.presence import do_heartbeat, do_heartbeats, do_set_presence
from agents.models import Agent, Role
from realtime.models import RealtimeEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _presence_events() -> list[tuple[int, str, str]]:
    return [
        (e.payload["user_id"], e.payload["previous"], e.payload["presence"])
        for e in RealtimeEvent.objects.filter(name="agent.presence").order_by("id")
    ]


def _heartbeat(user) -> object:
    return Agent.objects.get(user=user).last_heartbeat_at


def test_a_batch_writes_stale_heartbeats_once_and_brings_presence_in_line(agent_a, team_a):
    away = make_user("away-agent", Role.AGENT, [team_a])
    gone = make_user("gone-agent", Role.AGENT, [team_a])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        do_set_presence(away, "away")
        do_heartbeat(away.pk)  # connected, away: shows away
        gone.is_active = False
        gone.save()
        clock.shift(timedelta(seconds=5))
        # agent_a never beat; away-agent beat 5 s ago; gone-agent is deactivated.
        assert do_heartbeats({agent_a.pk, away.pk, gone.pk}) == {agent_a.pk}
        assert _heartbeat(agent_a) == start + timedelta(seconds=5)
        assert _heartbeat(away) == start
        assert _heartbeat(gone) is None
        assert do_heartbeats({agent_a.pk, away.pk}) == set()  # both beat < 10 s ago
        clock.shift(timedelta(seconds=6))
        assert do_heartbeats({agent_a.pk, away.pk}) == {away.pk}
        assert _heartbeat(away) == start + timedelta(seconds=11)
    assert Agent.objects.get(user=agent_a).presence == "online"
    assert Agent.objects.get(user=away).presence == "away"  # a beat does not undo away
    assert Agent.objects.get(user=gone).presence == "offline"
    assert _presence_events() == [(away.pk, "offline", "away"), (agent_a.pk, "offline", "online")]


def test_an_empty_batch_touches_nothing(agent_a, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert do_heartbeats(set()) == set()
