"""Who may receive an event, and the socket groups that reach them.

An audience is a set of socket groups. Every socket joins exactly the groups of who it
is: an agent's socket joins `agent.<user id>`, `team.<id>` for each of their teams, and
`staff` if they are a lead or an admin; a chat visitor's socket joins `visitor.<id>`.
An event reaches a socket when they share a group, so an event for one agent reaches
that agent only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

STAFF_GROUP = "staff"
# Channel layers accept group names of ASCII letters, digits, '-', '_' and '.' shorter
# than 100 characters; a visitor id goes into the name as it is, so it must be one.
VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def visitor_group(visitor_id: str) -> str:
    if not isinstance(visitor_id, str) or not VISITOR_ID.fullmatch(visitor_id):
        raise ValueError(f"a visitor id is 1-64 letters, digits, '-' or '_': {visitor_id!r}")
    return f"visitor.{visitor_id}"


def agent_socket_groups(
    *, user_id: int, sees_everything: bool, team_ids: Iterable[int]
) -> list[str]:
    """The groups an agent's socket joins."""
    groups = [agent_group(user_id)]
    if sees_everything:
        groups.append(STAFF_GROUP)
    return groups + [team_group(t) for t in sorted(set(team_ids))]


def _ids(values: Iterable[int | None]) -> frozenset[int]:
    return frozenset(v for v in values if v is not None)


@dataclass(frozen=True)
class Audience:
    """Build one with a constructor and combine with `|`:
    `Audience.of(team_ids, user_ids)` is staff + those teams + those agents (what a
    conversation's events use); `Audience.agent(user_id)` is that agent alone."""

    staff: bool = False
    team_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)
    visitor_ids: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for visitor_id in self.visitor_ids:
            visitor_group(visitor_id)  # refuses an id that cannot name a group

    @classmethod
    def of(
        cls, team_ids: Iterable[int | None] = (), user_ids: Iterable[int | None] = ()
    ) -> Audience:
        """Leads and admins, the agents of these teams, and these agents."""
        return cls(staff=True, team_ids=_ids(team_ids), user_ids=_ids(user_ids))

    @classmethod
    def agent(cls, user_id: int) -> Audience:
        """This agent alone (not the leads and admins)."""
        return cls(user_ids=frozenset({user_id}))

    @classmethod
    def team(cls, team_id: int) -> Audience:
        """The agents of this team (leads and admins only if they are members)."""
        return cls(team_ids=frozenset({team_id}))

    @classmethod
    def staff_only(cls) -> Audience:
        """Leads and admins."""
        return cls(staff=True)

    @classmethod
    def visitor(cls, visitor_id: str) -> Audience:
        """One chat visitor's sockets. Only visitor-safe events may reach it."""
        return cls(visitor_ids=frozenset({visitor_id}))

    def __or__(self, other: Audience) -> Audience:
        return Audience(
            staff=self.staff or other.staff,
            team_ids=self.team_ids | other.team_ids,
            user_ids=self.user_ids | other.user_ids,
            visitor_ids=self.visitor_ids | other.visitor_ids,
        )

    @property
    def reaches_visitor(self) -> bool:
        return bool(self.visitor_ids)

    def groups(self) -> list[str]:
        return (
            ([STAFF_GROUP] if self.staff else [])
            + [team_group(t) for t in sorted(self.team_ids)]
            + [agent_group(u) for u in sorted(self.user_ids)]
            + [visitor_group(v) for v in sorted(self.visitor_ids)]
        )
