"""The agent websocket: events after commit, only to agents who may see the conversation,
and a reconnecting client gets what it missed."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from conversations.actions.ingest import do_record_inbound
from realtime.models import RealtimeEvent
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _sms(inbox, text: str, sid: str, phone: str = "+14155550123"):
    return inbound(inbox, "sms", "phone", phone, text, provider_id=sid)


def test_agent_receives_interaction_created_after_commit_and_other_team_nothing(
    twilio_inbox, agent_a, agent_b
):
    cookie_a, cookie_b = session_cookie_for(agent_a), session_cookie_for(agent_b)
    in_transaction = threading.Event()
    release = threading.Event()

    def record_inside_open_transaction() -> None:
        try:
            with transaction.atomic():
                do_record_inbound(_sms(twilio_inbox, "Where is my parcel?", "SM-rt-1"))
                in_transaction.set()
                release.wait(10)
        finally:
            connection.close()

    async def scenario() -> None:
        sock_a = await connect_agent_socket(cookie_a)
        sock_b = await connect_agent_socket(cookie_b)
        assert (await sock_a.connect())[0] and (await sock_b.connect())[0]
        assert (await sock_a.receive_json_from())["type"] == "hello"
        assert (await sock_b.receive_json_from())["type"] == "hello"

        writer = threading.Thread(target=record_inside_open_transaction)
        writer.start()
        await asyncio.get_running_loop().run_in_executor(None, in_transaction.wait, 10)
        # Written but not committed: nobody hears of it yet.
        assert await sock_a.receive_nothing(timeout=0.5)
        release.set()
        await asyncio.get_running_loop().run_in_executor(None, writer.join, 10)

        events = await receive_events(sock_a, 2)
        names = [e["event"] for e in events]
        assert names == ["interaction.created", "conversation.created"]
        interaction = events[0]["data"]
        assert interaction["text"] == "Where is my parcel?"
        assert interaction["channel"] == "sms"
        assert interaction["direction"] == "in"
        assert events[1]["data"]["team"] == {"id": twilio_inbox.team_id, "name": "Team A"}
        assert await sock_b.receive_nothing(timeout=1.0)
        await sock_a.disconnect()
        await sock_b.disconnect()

    asyncio.run(scenario())


def test_lead_sees_every_team_and_unauthenticated_socket_is_refused(twilio_inbox, lead):
    cookie = session_cookie_for(lead)

    async def scenario() -> None:
        anonymous = await connect_agent_socket(None)
        connected, _code = await anonymous.connect()
        assert not connected
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        await sync_to_async(do_record_inbound)(_sms(twilio_inbox, "hello lead", "SM-rt-2"))
        events = await receive_events(sock, 2)
        assert events[0]["data"]["text"] == "hello lead"
        await sock.disconnect()

    asyncio.run(scenario())


def test_outsider_without_agent_role_is_refused(outsider):
    cookie = session_cookie_for(outsider)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        connected, _ = await sock.connect()
        assert not connected

    asyncio.run(scenario())


def test_reconnecting_agent_resumes_what_it_missed_and_only_what_it_may_see(
    twilio_inbox, team_b, agent_a, admin_user
):
    from conversations.models import Inbox

    other_team_inbox = Inbox.objects.create(
        kind="twilio", name="B line", slug="b-line", address="+15005550009", team=team_b
    )
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        await sync_to_async(do_record_inbound)(_sms(twilio_inbox, "first", "SM-rs-1"))
        seen = await receive_events(sock, 2)
        last_id = seen[-1]["id"]
        await sock.disconnect()

        # While the agent is away: one message for team A, one for team B.
        await sync_to_async(do_record_inbound)(_sms(twilio_inbox, "while away", "SM-rs-2"))
        await sync_to_async(do_record_inbound)(
            _sms(other_team_inbox, "not yours", "SM-rs-3", phone="+14155550999")
        )

        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        # hello names the newest event: where a client that has seen none would resume.
        newest = await sync_to_async(lambda: RealtimeEvent.objects.latest("id").pk)()
        assert await sock.receive_json_from() == {
            "type": "hello", "user_id": agent_a.pk, "last_event_id": newest}
        await sock.send_json_to({"type": "resume", "since": last_id})
        missed = await receive_events(sock, 2)
        done = await sock.receive_json_from(timeout=5)
        assert [e["event"] for e in missed] == ["interaction.created", "conversation.updated"]
        assert done == {"type": "resumed", "since": last_id, "count": 2, "has_more": False,
                        "next_since": missed[-1]["id"]}
        assert missed[0]["data"]["text"] == "while away"
        assert all(e["id"] > last_id for e in missed)
        await sock.disconnect()

    asyncio.run(scenario())
