"""Fixtures of the workspace tests: a customer whose one conversation spans chat, email
and a call (team A), another team's conversation, and signed-in page clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Inbox
from customers.actions.profile import do_add_identity
from tests.factories import inbound


@pytest.fixture
def email_inbox_b(team_b: Any) -> Inbox:
    return Inbox.objects.create(
        kind="email", name="Billing mail", slug="billing-mail",
        address="billing@omnidesk.test", team=team_b,
    )


def spanning_conversation(chat_inbox: Inbox, email_inbox: Inbox, twilio_inbox: Inbox
                          ) -> Conversation:
    """Dana: a chat, then an email (same customer, continuity), then a call."""
    start = timezone.now() - timedelta(hours=2)
    chat = do_record_inbound(inbound(
        chat_inbox, "chat", "chat", "visitor-dana", "Hi, my refund for order 20418 is late",
        provider_id="chat-1", sender_name="Dana Reyes", occurred_at=start))
    customer = chat.conversation.customer
    do_add_identity(customer, "email", "dana@example.com")
    do_add_identity(customer, "phone", "+14155550123")
    do_record_inbound(inbound(
        email_inbox, "email", "email", "dana@example.com", "Still nothing on my card.",
        provider_id="<e1@mail.example.com>", subject="Refund for order 20418",
        occurred_at=start + timedelta(minutes=30),
        meta={"full_text": "Still nothing on my card.\n\n> On Monday you wrote:\n> We are on it"}))
    do_record_inbound(inbound(
        twilio_inbox, "voice", "phone", "+14155550123", "", kind="call",
        provider_id="CA" + "1" * 32, occurred_at=start + timedelta(minutes=60),
        meta={"direction": "in", "from": "+14155550123", "status": "completed",
              "outcome": "answered", "duration_seconds": 252, "talk_seconds": 230}))
    return Conversation.objects.get(pk=chat.conversation.pk)


@pytest.fixture
def dana(chat_inbox: Inbox, email_inbox: Inbox, twilio_inbox: Inbox) -> Conversation:
    return spanning_conversation(chat_inbox, email_inbox, twilio_inbox)


@pytest.fixture
def bo(email_inbox_b: Inbox) -> Conversation:
    """Team B's: an email from Bo."""
    return do_record_inbound(inbound(
        email_inbox_b, "email", "email", "bo@example.com", "Invoice 77 is wrong",
        provider_id="<b1@mail.example.com>", subject="Invoice 77", sender_name="Bo Chen",
    )).conversation


@pytest.fixture
def signed_in() -> Any:
    def client(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return client
