"""Who a call rings: the agents the routing engine picks for a voice conversation of
the team (online, a free call slot, in the team's assignment order), at once (the
first to answer takes it); with nobody free it goes to the team's fallback number, else
to voicemail. An agent with a phone number in their profile is rung there instead of
in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from agents.models import Agent, Team
from channels_voice.config import VoiceConfig
from routing.assignment import candidates

VOICE = "voice"

# Twilio <Dial> rings at most ten destinations at once.
MAX_PARALLEL = 10


def client_identity(user: AbstractBaseUser) -> str:
    """The Voice SDK identity of an agent: their username, in the characters Twilio
    allows in a client identity."""
    return re.sub(r"[^A-Za-z0-9_]", "_", user.get_username())[:121]


@dataclass(frozen=True)
class RingTarget:
    user_id: int | None
    username: str
    identity: str = ""  # a browser client, or
    phone: str = ""  # a phone number


def agents_to_ring(team: Team | None) -> list[Agent]:
    if team is None:
        return []
    return [agent for agent, _load in candidates(team, VOICE)][:MAX_PARALLEL]


def target_for(agent: Agent) -> RingTarget:
    user = agent.user
    if agent.phone:
        return RingTarget(user.pk, user.get_username(), phone=agent.phone)
    return RingTarget(user.pk, user.get_username(), identity=client_identity(user))


def fallback_number(config: VoiceConfig, team: Team | None) -> str:
    if team is not None and team.slug in config.fallback_numbers:
        return config.fallback_numbers[team.slug]
    return config.fallback_number
