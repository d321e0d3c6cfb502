"""Writes to agents: role and team membership. Every change reaches the agent's open
sockets, which re-join the groups of what the agent may now see."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent, Role, Team
from agents.notify import notify_agent_updated

logger = logging.getLogger(__name__)


def do_update_agent(
    agent: Agent,
    *,
    by: User | None,
    role: Role | str | None = None,
    teams: Iterable[Team] | None = None,
) -> Agent:
    """Set the agent's role and/or teams (None leaves one as it is)."""
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        team_ids = sorted(locked.teams.values_list("id", flat=True))
        changed = []
        if role is not None and role != locked.role:
            locked.role = Role(role)
            locked.save(update_fields=["role"])
            changed.append(f"role={locked.role}")
        if teams is not None:
            new_team_ids = sorted({team.pk for team in teams})
            if new_team_ids != team_ids:
                locked.teams.set(new_team_ids)
                team_ids = new_team_ids
                changed.append(f"teams={team_ids}")
        if changed:
            notify_agent_updated(locked, team_ids)
            logger.info(
                "agent %s: %s (by %s)",
                locked.user_id,
                ", ".join(changed),
                by.get_username() if by is not None else "omnidesk",
            )
    return locked


def do_set_agent_teams(agent: Agent, teams: Iterable[Team], *, by: User | None) -> Agent:
    return do_update_agent(agent, by=by, teams=teams)


def do_set_agent_role(agent: Agent, role: Role | str, *, by: User | None) -> Agent:
    return do_update_agent(agent, by=by, role=role)


def do_create_team(*, by: User | None, name: str, slug: str) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name.strip(), slug=slug)
    logger.info("team %s created by %s", team.pk, by.get_username() if by else "omnidesk")
    return team


def do_update_team(team: Team, *, by: User | None, name: str, slug: str) -> Team:
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        locked.name, locked.slug = name.strip(), slug
        locked.save(update_fields=["name", "slug"])
    logger.info("team %s renamed by %s", team.pk, by.get_username() if by else "omnidesk")
    return locked
