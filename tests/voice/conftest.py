"""Voice fixtures: the fake Twilio API installed at the library's HTTP layer, a web
client, and an online agent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from agents.models import Presence
from channels_voice import client as twilio_client
from tests.voice.helpers import FakeTwilioApi


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    fake = FakeTwilioApi()
    twilio_client.http_client_override = fake
    yield fake
    twilio_client.http_client_override = None


@pytest.fixture
def web() -> Client:
    return Client()


@pytest.fixture
def online_agent_a(agent_a: User) -> User:
    agent_a.agent.presence = Presence.ONLINE
    agent_a.agent.save()
    return agent_a


@pytest.fixture
def online_agent_c(team_a) -> User:
    """A second online agent of team A: a queued call is offered to both."""
    from agents.models import Role
    from tests.conftest import make_user

    user = make_user("agent_c", Role.AGENT, [team_a])
    user.agent.presence = Presence.ONLINE
    user.agent.save()
    return user
