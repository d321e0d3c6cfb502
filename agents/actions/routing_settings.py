"""Writes to what routing reads of agents and teams: an agent's skills, languages and
capacities, a team's assignment mode and capacities. More room may take waiters at
once: hooks in `after_capacity` (filled by routing) get the teams concerned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent, AssignmentMode, Team

logger = logging.getLogger(__name__)

after_capacity: list[Callable[[list[int]], None]] = []

AGENT_FIELDS = ("skills", "languages", "capacities")
TEAM_FIELDS = ("assignment_mode", "capacities")


class SettingsError(ValueError):
    pass


def _check_capacities(value: Any) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1000
        for k, v in value.items()
    ):
        raise SettingsError("capacities maps channels to whole numbers from 0 to 1000")


def _check_words(name: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SettingsError(f"{name} is a list of words")


def do_update_agent_routing(agent: Agent, *, by: User | None, changes: dict[str, Any]) -> Agent:
    for name, value in changes.items():
        if name == "capacities":
            _check_capacities(value)
        elif name in ("skills", "languages"):
            _check_words(name, value)
        else:
            raise SettingsError(f"unknown setting {name!r}")
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes) or None)
        logger.info("agent %s routing settings %s (by %s)", locked.user_id, sorted(changes),
                    by.get_username() if by else "omnidesk")
        if "capacities" in changes:
            team_ids = list(locked.teams.values_list("id", flat=True))
            for hook in after_capacity:
                hook(team_ids)
    return locked


def do_update_team_routing(team: Team, *, by: User | None, changes: dict[str, Any]) -> Team:
    for name, value in changes.items():
        if name == "capacities":
            _check_capacities(value)
        elif name == "assignment_mode":
            if value not in AssignmentMode.values:
                raise SettingsError(f"assignment_mode is one of {', '.join(AssignmentMode.values)}")
        else:
            raise SettingsError(f"unknown setting {name!r}")
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes) or None)
        logger.info("team %s routing settings %s (by %s)", locked.pk, sorted(changes),
                    by.get_username() if by else "omnidesk")
        for hook in after_capacity:
            hook([locked.pk])
    return locked
