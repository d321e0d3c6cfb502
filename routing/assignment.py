"""Reads of assignment: a team's waiting queue, and the agents who may take a
conversation of a channel now (online, of the team, speaking the customer's language
when both say, holding every skill the conversation requires, under their capacity for
that channel), in the team's order.

Required skills are conversation tags `skill:<name>` (SKILL_TAG_PREFIX): a routing rule
adds them with its `add_tags` action (for example a rule on the keyword "invoice" adds
`skill:billing`), an agent or a macro can tag them by hand. An agent holds a skill when
it is in `Agent.skills` (case-insensitive). A conversation no online agent is skilled
for waits in the queue, like one nobody has room for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, QuerySet

from agents.models import Agent, AssignmentMode, Presence, Team
from conversations.models import Conversation, ConversationStatus
from conversations.models.conversation import RESPONSE_DUE_SORT_KEY

NEVER = datetime.min.replace(tzinfo=UTC)


def waiting_queue(team_id: int) -> QuerySet[Conversation]:
    """Open, unassigned conversations of the team: highest priority first, then the
    response due soonest, then the oldest."""
    return Conversation.objects.filter(
        team_id=team_id, status=ConversationStatus.OPEN, assignee__isnull=True
    ).order_by("-priority", RESPONSE_DUE_SORT_KEY, "id")


def loads(user_ids: list[int] | QuerySet[Any], channel: str) -> dict[int, int]:
    """Open conversations of `channel` each agent holds (pending and snoozed do not count).
    `user_ids` a list, or a query of user ids (a team's agents: compiling an IN list of
    a thousand parameters cost Django 80 ms)."""
    rows = (
        Conversation.objects.filter(
            assignee_id__in=user_ids, status=ConversationStatus.OPEN, last_inbound_channel=channel
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


SKILL_TAG_PREFIX = "skill:"


def required_skills(tags: list[str]) -> frozenset[str]:
    """The skills a conversation's tags require (`skill:billing` → "billing")."""
    return frozenset(
        tag[len(SKILL_TAG_PREFIX):].strip().lower()
        for tag in tags
        if tag.lower().startswith(SKILL_TAG_PREFIX) and tag[len(SKILL_TAG_PREFIX):].strip()
    )


def speaks(agent: Agent, language: str) -> bool:
    return not language or not agent.languages or language in agent.languages


def skilled(agent: Agent, skills: frozenset[str]) -> bool:
    return skills <= {str(skill).strip().lower() for skill in agent.skills or []}


class OnlineAgents:
    """A team's online agents, and the open conversations of each channel each holds:
    read once for an assignment pass (two queries, and one more per channel) and kept
    up to date by the pass as it assigns, instead of read again for every waiting
    conversation. What it says may be stale by the time an agent is chosen: the pass
    locks that agent and counts again before assigning (routing.actions.assign)."""

    def __init__(self, team: Team) -> None:
        self.team = team
        online = Agent.objects.filter(teams=team, presence=Presence.ONLINE,
                                      user__is_active=True)
        self._online_user_ids = online.values("user_id")
        self.agents = list(online.select_related("user"))
        self._held: dict[str, dict[int, int]] = {}

    def held(self, channel: str) -> dict[int, int]:
        """user id → open conversations of `channel` they hold."""
        if channel not in self._held:
            self._held[channel] = loads(self._online_user_ids, channel)
        return self._held[channel]

    def counted(self, agent: Agent, channel: str, held: int) -> None:
        """`agent` holds `held` of `channel` (counted under their lock)."""
        self.held(channel)[agent.user_id] = held

    def gone(self, agent: Agent) -> None:
        """`agent` is no longer online."""
        self.agents = [a for a in self.agents if a.pk != agent.pk]

    def candidates(
        self, channel: str, language: str = "", skills: frozenset[str] = frozenset()
    ) -> list[tuple[Agent, int]]:
        """(agent, current load) of those who may take one more, best first."""
        held = self.held(channel)
        free = [
            (agent, held.get(agent.user_id, 0))
            for agent in self.agents
            if speaks(agent, language) and skilled(agent, skills)
            and held.get(agent.user_id, 0) < agent.capacity_for(channel, self.team)
        ]
        if self.team.assignment_mode == AssignmentMode.LEAST_BUSY:
            free.sort(key=lambda pair: (pair[1], pair[0].last_assigned_at or NEVER,
                                        pair[0].user_id))
        else:
            free.sort(key=lambda pair: (pair[0].last_assigned_at or NEVER, pair[0].user_id))
        return free


def candidates(
    team: Team, channel: str, language: str = "", skills: frozenset[str] = frozenset()
) -> list[tuple[Agent, int]]:
    """(agent, current load) of those who may take one more, best first."""
    return OnlineAgents(team).candidates(channel, language, skills)
