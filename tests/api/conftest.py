"""Fixtures of the REST API tests: conversations in two teams, signed-in clients, and a
local HTTP server standing in for the system behind an API inbox's outbound_url."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Inbox
from tests.factories import inbound
from tests.http_receiver import Receiver

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


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
def session_client() -> Any:
    """A client signed in with a session, as a browser is: every request loads the user
    and their agent profile, so query counts are those of real traffic."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def outbound_api_inbox(api_inbox: Inbox, receiver: Receiver) -> Inbox:
    """The shared API inbox, sending replies to the local receiver."""
    Inbox.objects.filter(pk=api_inbox.pk).update(config={"outbound_url": receiver.url})
    api_inbox.refresh_from_db()
    return api_inbox

