"""Voice fixtures: the one fake of Twilio's REST API (tests.twilio.fake), a web client,
and online agents."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from agents.models import Presence
from tests.twilio.fake import fake_twilio  # noqa: F401  (the fixture)


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
