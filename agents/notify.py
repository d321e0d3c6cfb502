"""notify_* functions: the realtime events of agent changes. Called by actions only."""

from __future__ import annotations

from typing import Any

from agents.models import Agent
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish


def agent_payload(agent: Agent, team_ids: list[int]) -> dict[str, Any]:
    return {
        "id": agent.pk,
        "user_id": agent.user_id,
        "role": agent.role,
        "sees_everything": agent.sees_everything,
        "team_ids": sorted(team_ids),
    }


def notify_agent_updated(agent: Agent, team_ids: list[int]) -> None:
    """To that agent alone: their sockets re-join the groups of their new role and teams."""
    publish(events.AGENT_UPDATED, agent_payload(agent, team_ids), Audience.agent(agent.user_id))


def presence_payload(agent: Agent, previous: str) -> dict[str, Any]:
    return {
        "user_id": agent.user_id,
        "presence": agent.presence,
        "previous": previous,
        "away": agent.away,
        "last_heartbeat_at": (
            agent.last_heartbeat_at.isoformat() if agent.last_heartbeat_at else None
        ),
    }


def notify_presence(agent: Agent, previous: str) -> None:
    """To the leads and admins (the agent's own page learns it from its PUT)."""
    publish(events.AGENT_PRESENCE, presence_payload(agent, previous), Audience.staff_only())
