"""Dropping the visitor's socket, from either side and several times, with messages sent
both ways while it is down, loses and doubles nothing: the widget's own bookkeeping (the
token, the last event id, unacknowledged messages resent) against the real server."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from conversations.actions.reply import do_send_reply
from conversations.models import Conversation, Interaction
from conversations.tasks import send_interaction_task
from tests.chat.helpers import hello, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


class Widget:
    """What widget.js keeps: its token, the newest event id seen, messages not acked."""

    def __init__(self, inbox: Any) -> None:
        self.inbox = inbox
        self.token: str | None = None
        self.last = 0
        self.pending: dict[str, str] = {}
        self.event_ids: list[int] = []
        self.messages: set[int] = set()
        self.sent = 0
        self.comm: Any = None

    def take(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "event":
            self.event_ids.append(frame["id"])
            self.last = max(self.last, frame["id"])
            if frame["event"] == "interaction.created":
                self.messages.add(frame["data"]["id"])
                self.pending.pop(frame["data"]["client_id"], None)
        elif frame["type"] == "ack":
            self.pending.pop(frame["client_id"], None)
            self.messages.add(frame["id"])

    async def connect(self) -> None:
        self.comm = visitor_socket(self.inbox)
        welcome = await hello(self.comm, token=self.token,
                              since=self.last if self.token else None)
        self.token = welcome["token"]
        if "history" in welcome:
            self.last = welcome["last_event_id"]
            self.messages |= {m["id"] for m in welcome["history"]}
        else:
            while (frame := await self.comm.receive_json_from(timeout=5))["type"] != "resumed":
                self.take(frame)
        for client_id, text in list(self.pending.items()):
            await self.comm.send_json_to({"type": "message", "client_id": client_id,
                                          "text": text})

    def write(self, text: str) -> str:
        self.sent += 1
        client_id = f"m{self.sent}"
        self.pending[client_id] = text
        return client_id

    async def send(self, text: str) -> None:
        client_id = self.write(text)
        await self.comm.send_json_to({"type": "message", "client_id": client_id, "text": text})

    async def drain(self, seconds: float = 0.7) -> None:
        while not await self.comm.receive_nothing(timeout=seconds):
            self.take(await self.comm.receive_json_from())


def _reply(agent: Any, text: str) -> None:
    conversation = Conversation.objects.get()
    reply = do_send_reply(conversation=conversation, author=agent, text=text)
    send_interaction_task.apply(args=(reply.pk,))


def test_drops_on_both_sides_lose_and_double_nothing(chat_inbox, agent_a):
    widget = Widget(chat_inbox)

    async def scenario() -> None:
        await widget.connect()
        await widget.send("first")
        await widget.drain()
        for round_ in range(6):
            await widget.send(f"just before drop {round_}")
            if round_ % 2:
                # Server side: the server's task dies; no close frame, no clean-up.
                await asyncio.sleep(0.05)
                widget.comm.future.cancel()
            else:
                await widget.comm.disconnect()  # client side
            # While down: the agent answers, the visitor writes.
            await sync_to_async(_reply)(agent_a, f"agent while down {round_}")
            widget.write(f"visitor while down {round_}")
            await widget.connect()
            await widget.drain()
            await sync_to_async(_reply)(agent_a, f"agent while up {round_}")
            await widget.drain()
        await widget.comm.disconnect()

    asyncio.run(scenario())
    assert widget.pending == {}
    stored = list(Interaction.objects.order_by("id").values_list("id", "direction", "text"))
    visitor_texts = [t for _, d, t in stored if d == "in"]
    assert len(visitor_texts) == widget.sent == len(set(visitor_texts)) == 13
    assert sum(1 for _, d, _ in stored if d == "out") == 12
    assert widget.messages == {pk for pk, _, _ in stored}
    assert [i for i, n in Counter(widget.event_ids).items() if n > 1] == []
