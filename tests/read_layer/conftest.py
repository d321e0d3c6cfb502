"""Fixtures of the read-layer tests: a few conversations in two teams, and a way to get
a user as a fresh request would (nothing cached on it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Inbox
from tests.factories import inbound


@pytest.fixture
def email_inbox_b(team_b: Any) -> Inbox:
    return Inbox.objects.create(
        kind="email", name="Billing mail", slug="billing-mail",
        address="billing@omnidesk.test", team=team_b,
    )


@pytest.fixture
def conversation_a(twilio_inbox: Inbox) -> Conversation:
    """Team A's: an SMS from Ana Lima."""
    return do_record_inbound(inbound(
        twilio_inbox, "sms", "phone", "+14155550100", "Where is my parcel?", provider_id="SM-a1",
        sender_name="Ana Lima",
    )).conversation


@pytest.fixture
def conversation_b(email_inbox_b: Inbox) -> Conversation:
    """Team B's: an email from Bo Chen."""
    return do_record_inbound(inbound(
        email_inbox_b, "email", "email", "bo@example.com", "Invoice 77 is wrong",
        provider_id="<b1@mail.example.com>", subject="Invoice 77", sender_name="Bo Chen",
    )).conversation


@pytest.fixture
def fresh() -> Any:
    """The user as a new request loads it: agent and teams not cached yet."""

    def load(user: User) -> User:
        return User.objects.get(pk=user.pk)

    return load
