"""Who may see what. Every page, API view and socket asks these, never its own rule."""

from __future__ import annotations

from typing import Any

from agents.models import Agent, Role


def agent_for(user: Any) -> Agent | None:
    """The user's Agent profile, or None for anyone who is not helpdesk staff.
    A superuser without a profile is an admin (created on first use)."""
    if user is None or not user.is_authenticated:
        return None
    from omnidesk.signed_in import agent_of, keep_agent

    agent = agent_of(user)
    if agent is None and getattr(user, "is_superuser", False):
        agent = Agent.objects.get_or_create(user=user, defaults={"role": Role.ADMIN})[0]
        keep_agent(user, agent)
    return agent


def team_ids_of(agent: Agent) -> list[int]:
    cached = getattr(agent, "_team_ids", None)
    if cached is None:
        from omnidesk.signed_in import team_ids

        cached = team_ids(agent.pk)
        agent._team_ids = cached  # type: ignore[attr-defined]
    return cached


def is_admin(agent: Agent | None) -> bool:
    return agent is not None and agent.role == Role.ADMIN
