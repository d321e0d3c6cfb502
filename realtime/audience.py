"""Who may receive an event, and the socket groups that reach them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

STAFF_GROUP = "staff"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


@dataclass(frozen=True)
class Audience:
    """Leads and admins receive every agent-side event; agents by team or by name."""

    team_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, team_ids: Iterable[int | None] = (), user_ids: Iterable[int | None] = ()
    ) -> Audience:
        return cls(
            frozenset(t for t in team_ids if t is not None),
            frozenset(u for u in user_ids if u is not None),
        )

    def groups(self) -> list[str]:
        return (
            [STAFF_GROUP]
            + [team_group(t) for t in sorted(self.team_ids)]
            + [agent_group(u) for u in sorted(self.user_ids)]
        )


def may_receive(
    *,
    sees_everything: bool,
    user_id: int,
    team_ids: Iterable[int],
    event_team_ids: Iterable[int],
    event_user_ids: Iterable[int],
) -> bool:
    if sees_everything or user_id in set(event_user_ids):
        return True
    return bool(set(team_ids) & set(event_team_ids))
