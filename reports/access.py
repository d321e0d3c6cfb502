"""Who reads reports: admins every team's figures, leads their own teams'; agents none."""

from __future__ import annotations

from typing import Any

from agents.access import agent_for, team_ids_of
from agents.models import Role


class NotForReports(PermissionError):
    """Only leads and admins read reports."""


def report_teams(user: Any) -> tuple[int, ...] | None:
    """None: every team (admins); else the ids of the lead's teams. NotForReports for
    anyone else."""
    agent = agent_for(user)
    if agent is None or agent.role not in (Role.ADMIN, Role.LEAD):
        raise NotForReports("Only team leads and admins read reports.")
    if agent.role == Role.ADMIN:
        return None
    return tuple(team_ids_of(agent))


def may_read_reports(user: Any) -> bool:
    try:
        report_teams(user)
    except NotForReports:
        return False
    return True
