"""The visitor websocket: messages through the one pipeline once, replies back with
delivered and read, typing both ways, notes never, and the widget's allow-list."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from channels_chat.actions import reply_provider_id
from conversations.actions.note import do_add_note
from conversations.actions.reply import ReplyError, do_send_reply
from conversations.models import Conversation, Interaction, Status
from conversations.tasks import send_interaction_task
from customers.models import Identity
from realtime.audience import Audience
from realtime.publish import AudienceError, publish
from tests.chat.helpers import SHOP, frames_until, hello, next_event, visitor_socket
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _send_reply(conversation_id: int, author, text: str) -> Interaction:
    conversation = Conversation.objects.get(pk=conversation_id)
    reply = do_send_reply(conversation=conversation, author=author, text=text)
    send_interaction_task.apply(args=(reply.pk,))
    reply.refresh_from_db()
    return reply


def test_a_message_is_recorded_once_acked_and_reaches_the_agents(chat_inbox, agent_a):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        agent = await connect_agent_socket(cookie)
        assert (await agent.connect())[0]
        assert (await agent.receive_json_from())["type"] == "hello"
        visitor = visitor_socket(chat_inbox)
        welcome = await hello(visitor)
        assert welcome["history"] == []
        # agent_a of the widget's team has a workspace socket open: online (presence).
        assert welcome["online"] is True
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hello?"})
        frames = await frames_until(visitor, "ack")
        ack = frames[-1]
        assert ack["created"] is True
        # The same client id again (the ack was lost): recorded once, same id.
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hello?"})
        again = (await frames_until(visitor, "ack"))[-1]
        assert again == {"type": "ack", "client_id": "c1", "id": ack["id"], "created": False}
        events = await receive_events(agent, 2)
        assert [e["event"] for e in events] == ["interaction.created", "conversation.created"]
        assert events[0]["data"]["text"] == "Hello?"
        assert events[0]["data"]["channel"] == "chat"
        assert await agent.receive_nothing(timeout=0.5)
        await visitor.disconnect()
        await agent.disconnect()

    asyncio.run(scenario())
    interaction = Interaction.objects.get()
    assert interaction.provider_id.endswith(":c1")
    assert interaction.author_identity.kind == "chat"
    assert interaction.conversation.team_id == chat_inbox.team_id


def test_an_agent_reply_reaches_the_visitor_delivered_then_read(chat_inbox, agent_a):
    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        ack = (await frames_until(visitor, "ack"))[-1]
        conversation_id = await sync_to_async(
            lambda: Interaction.objects.get(pk=ack["id"]).conversation_id)()
        reply = await sync_to_async(_send_reply)(conversation_id, agent_a, "Hello, how can I help?")
        assert reply.status == Status.DELIVERED
        assert reply.provider_id == reply_provider_id(reply.pk)
        data = (await next_event(visitor, "interaction.created", direction="out"))["data"]
        assert (data["id"], data["direction"], data["text"]) == (reply.pk, "out", reply.text)
        assert "meta" not in data and "provider_id" not in data
        await visitor.send_json_to({"type": "read", "up_to": reply.pk})
        await visitor.send_json_to({"type": "ping"})
        await frames_until(visitor, "pong")
        reply = await sync_to_async(Interaction.objects.get)(pk=reply.pk)
        assert reply.status == Status.READ
        await visitor.disconnect()

    asyncio.run(scenario())


def test_an_internal_note_never_reaches_the_visitor(chat_inbox, agent_a):
    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        welcome = await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        await frames_until(visitor, "ack")
        await frames_until(visitor, "event")  # the echo of our own message

        def note() -> None:
            conversation = Conversation.objects.get()
            do_add_note(conversation=conversation, author=agent_a, text="VIP, be nice")

        await sync_to_async(note)()
        assert await visitor.receive_nothing(timeout=0.5)
        await visitor.disconnect()
        # Nor on a catch-up from the start.
        again = visitor_socket(chat_inbox)
        await hello(again, token=welcome["token"], since=welcome["last_event_id"])
        frames = await frames_until(again, "resumed")
        texts = [f["data"].get("text") for f in frames if f["type"] == "event"]
        assert texts == ["Hi"]
        await again.disconnect()

    asyncio.run(scenario())
    with pytest.raises(AudienceError):
        publish("interaction.created", {"direction": "internal", "kind": "note"},
                Audience.visitor("v1"))


def test_typing_goes_both_ways(chat_inbox, agent_a):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        await frames_until(visitor, "ack")
        await frames_until(visitor, "event")
        agent = await connect_agent_socket(cookie)
        assert (await agent.connect())[0]
        await agent.receive_json_from()
        conversation_id = await sync_to_async(lambda: Conversation.objects.get().pk)()
        await visitor.send_json_to({"type": "typing"})
        typing = (await receive_events(agent, 1))[0]
        assert typing["event"] == "typing"
        assert typing["data"]["conversation_id"] == conversation_id
        assert typing["data"]["by"] == "visitor"
        await agent.send_json_to({"type": "typing", "conversation_id": conversation_id})
        frame = await next_event(visitor, "typing")
        assert frame["data"]["by"] == "agent"
        await visitor.disconnect()
        await agent.disconnect()

    asyncio.run(scenario())


def test_an_agent_who_may_not_see_the_conversation_types_to_nobody(chat_inbox, agent_b):
    cookie = session_cookie_for(agent_b)

    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        await frames_until(visitor, "ack")
        await frames_until(visitor, "event")
        agent = await connect_agent_socket(cookie)
        assert (await agent.connect())[0]
        await agent.receive_json_from()
        conversation_id = await sync_to_async(lambda: Conversation.objects.get().pk)()
        await agent.send_json_to({"type": "typing", "conversation_id": conversation_id})
        assert await visitor.receive_nothing(timeout=0.5)
        await visitor.disconnect()
        await agent.disconnect()

    asyncio.run(scenario())


def test_only_allowed_origins_may_connect(chat_inbox):
    chat_inbox.config = {"widget_key": "shopwidget", "allowed_origins": [SHOP]}
    chat_inbox.save()

    async def scenario() -> None:
        evil = visitor_socket(chat_inbox, origin="https://evil.test")
        connected, code = await evil.connect()
        assert not connected and code == 4403
        good = visitor_socket(chat_inbox)
        await hello(good)
        await good.disconnect()

    asyncio.run(scenario())


def test_a_visitor_who_left_an_email_gets_the_reply_by_email(chat_inbox, email_inbox, agent_a):
    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "contact", "email": "Ann@Example.com", "name": "Ann"})
        assert (await frames_until(visitor, "contact_saved"))[-1]["email"] == "ann@example.com"
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Call me"})
        await frames_until(visitor, "ack")
        await visitor.disconnect()

    asyncio.run(scenario())
    conversation = Conversation.objects.get()
    with pytest.raises(ReplyError, match=r"left the chat; reply by email to ann@example\.com"):
        do_send_reply(conversation=conversation, author=agent_a, text="Sure")
    from conversations.reply_options import reply_options

    options = reply_options(conversation)
    assert options.default == "email"
    assert options.get("email").address == "ann@example.com"
    reply = do_send_reply(conversation=conversation, author=agent_a, text="Sure",
                          channel="email")
    assert reply.meta["to"] == "ann@example.com"
    assert reply.conversation_id == conversation.pk
    assert Identity.objects.get(kind="email").verified is False


def test_a_transcript_goes_to_the_visitors_email_on_request(chat_inbox, agent_a):
    from django.core import mail

    from jobs.models import Job

    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        await frames_until(visitor, "ack")
        await visitor.send_json_to({"type": "transcript"})
        refused = (await frames_until(visitor, "error"))[-1]
        assert refused["error"] == "transcript"
        await visitor.send_json_to({"type": "contact", "email": "kim@example.com"})
        await frames_until(visitor, "contact_saved")
        await visitor.send_json_to({"type": "transcript"})
        queued = (await frames_until(visitor, "transcript_queued"))[-1]
        assert queued["email"] == "kim@example.com"
        await visitor.disconnect()

    asyncio.run(scenario())
    job = Job.objects.get(task="channels_chat.tasks.send_transcript_task")
    from channels_chat.tasks import send_transcript_task

    assert send_transcript_task.apply(args=job.args).get() == "sent"
    assert mail.outbox[-1].to == ["kim@example.com"]
    assert mail.outbox[-1].subject == "Your chat transcript"
    assert "You (" in mail.outbox[-1].body and "):\nHi\n" in mail.outbox[-1].body
