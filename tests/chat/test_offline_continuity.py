"""A visitor writes while nobody is online and leaves an email address; the agent's later
reply goes by email (the chat transport refuses a visitor who left); the customer's email
answer lands in the same conversation."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy

import pytest
from django.core import mail

from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.models import Conversation, Interaction
from conversations.tasks import send_interaction_task
from tests.chat.helpers import frames_until, hello, visitor_socket
from tests.email.conftest import INBOUND_DOMAIN
from tests.email.test_round_trip import client_reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.OMNIDESK_INBOUND_EMAIL_DOMAIN = INBOUND_DOMAIN
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


def test_offline_message_email_reply_and_email_answer_share_one_conversation(
    chat_inbox, email_inbox, agent_a
):
    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        welcome = await hello(visitor)
        assert welcome["online"] is False  # nobody of the team is online
        await visitor.send_json_to({"type": "contact", "email": "dana.reyes@example.com",
                                    "name": "Dana Reyes"})
        await frames_until(visitor, "contact_saved")
        await visitor.send_json_to({"type": "message", "client_id": "c1",
                                    "text": "Is my order 1042 shipped?"})
        await frames_until(visitor, "ack")
        await visitor.disconnect()

    asyncio.run(scenario())
    conversation = Conversation.objects.get()
    reply = do_send_reply(conversation=conversation, author=agent_a, channel="email",
                          text="It left the warehouse today.")
    send_interaction_task.apply(args=(reply.pk,))
    reply.refresh_from_db()
    assert reply.status == "sent"
    sent = message_from_bytes(mail.outbox[-1].message().as_bytes(), policy=policy.default)
    assert sent["To"] == "dana.reyes@example.com"
    answer = receive_raw_email(client_reply(sent, "Great, thank you!"))
    assert answer.result.conversation.pk == conversation.pk
    conversation.refresh_from_db()
    assert conversation.channels == ["chat", "email"]
    timeline = list(Interaction.objects.filter(conversation=conversation, kind="message")
                    .order_by("occurred_at", "id").values_list("channel", "direction", "text"))
    assert timeline == [
        ("chat", "in", "Is my order 1042 shipped?"),
        ("email", "out", "It left the warehouse today."),
        ("email", "in", "Great, thank you!"),
    ]
