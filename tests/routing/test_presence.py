"""Presence: a pinging socket shows online, a hand-set away stays away, no socket for the
grace period shows offline; each change is an `agent.presence` event to the leads."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agents.actions.presence import do_expire_presence, do_heartbeat, do_set_presence
from agents.models import Agent
from realtime.models import RealtimeEvent
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db


def _presence_events() -> list[tuple[int, str, str]]:
    return [
        (e.payload["user_id"], e.payload["previous"], e.payload["presence"])
        for e in RealtimeEvent.objects.filter(name="agent.presence").order_by("id")
    ]


def _groups_of_last_presence_event() -> list[str]:
    event = RealtimeEvent.objects.filter(name="agent.presence").latest("id")
    return sorted(event.groups.values_list("group", flat=True))


def test_heartbeats_away_and_the_grace_period(agent_a, settings):
    settings.OMNIDESK_PRESENCE_GRACE_SECONDS = 60
    uid = agent_a.pk
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        do_heartbeat(uid)
        assert Agent.objects.get(user=agent_a).presence == "online"
        do_set_presence(agent_a, "away")
        clock.shift(timedelta(seconds=30))
        do_heartbeat(uid)  # still connected: stays away
        assert Agent.objects.get(user=agent_a).presence == "away"
        do_set_presence(agent_a, "online")
        clock.shift(timedelta(seconds=59))  # 59 s after the last beat: within the grace
        assert do_expire_presence() == 0
        clock.shift(timedelta(seconds=2))
        assert do_expire_presence() == 1
        assert Agent.objects.get(user=agent_a).presence == "offline"
        assert do_expire_presence() == 0
        do_set_presence(agent_a, "online")  # no socket: stays offline
        assert Agent.objects.get(user=agent_a).presence == "offline"
        do_heartbeat(uid)
        assert Agent.objects.get(user=agent_a).presence == "online"
    assert _presence_events() == [
        (uid, "offline", "online"),
        (uid, "online", "away"),
        (uid, "away", "online"),
        (uid, "online", "offline"),
        (uid, "offline", "online"),
    ]
    assert _groups_of_last_presence_event() == ["staff"]


def test_frequent_pings_write_the_heartbeat_once_per_ten_seconds(agent_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        do_heartbeat(agent_a.pk)
        clock.shift(timedelta(seconds=5))
        do_heartbeat(agent_a.pk)
        assert Agent.objects.get(user=agent_a).last_heartbeat_at == start
        clock.shift(timedelta(seconds=6))
        do_heartbeat(agent_a.pk)
        assert Agent.objects.get(user=agent_a).last_heartbeat_at == start + timedelta(seconds=11)


def test_the_presence_api(agent_a, client_for):
    client = client_for(agent_a)
    assert client.get("/api/v1/me/presence/").json() == {"presence": "offline", "away": False}
    do_heartbeat(agent_a.pk)
    assert client.get("/api/v1/me/presence/").json() == {"presence": "online", "away": False}
    answer = client.put("/api/v1/me/presence/", {"presence": "away"}, format="json")
    assert (answer.status_code, answer.json()) == (200, {"presence": "away", "away": True})
    refused = client.put("/api/v1/me/presence/", {"presence": "offline"}, format="json")
    assert refused.status_code == 400
    assert Agent.objects.get(user=agent_a).presence == "away"


def test_the_presence_api_is_for_agents_only(outsider, client_for):
    assert client_for(outsider).get("/api/v1/me/presence/").status_code == 403
    assert client_for(None).get("/api/v1/me/presence/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_an_agent_socket_makes_the_agent_online_and_a_lead_sees_it(agent_a, lead):
    agent_cookie = session_cookie_for(agent_a)
    lead_cookie = session_cookie_for(lead)

    async def scenario() -> None:
        lead_sock = await connect_agent_socket(lead_cookie)
        assert (await lead_sock.connect())[0]
        await lead_sock.receive_json_from()  # hello
        sock = await connect_agent_socket(agent_cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        # The lead's own socket made the lead online first.
        seen = await receive_events(lead_sock, 2, skip=())
        assert [(e["event"], e["data"]["user_id"], e["data"]["presence"]) for e in seen] == [
            ("agent.presence", lead.pk, "online"), ("agent.presence", agent_a.pk, "online")]
        await sock.send_json_to({"type": "ping"})
        assert (await sock.receive_json_from())["type"] == "pong"
        await sock.disconnect()
        await lead_sock.disconnect()

    asyncio.run(scenario())
    assert Agent.objects.get(user=agent_a).presence == "online"  # until the grace ends
