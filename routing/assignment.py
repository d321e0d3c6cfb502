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


def candidates(
    team: Team, channel: str, language: str = "", skills: frozenset[str] = frozenset()
) -> list[tuple[Agent, int]]:
    """(agent, current load) of those who may take one more, best first."""
    online = Agent.objects.filter(teams=team, presence=Presence.ONLINE, user__is_active=True)
    agents = [
        agent
        for agent in online.select_related("user")
        if speaks(agent, language) and skilled(agent, skills)
    ]
    held = loads(online.values("user_id"), channel)
    free = [
        (agent, held.get(agent.user_id, 0))
        for agent in agents
        if held.get(agent.user_id, 0) < agent.capacity_for(channel, team)
    ]
    if team.assignment_mode == AssignmentMode.LEAST_BUSY:
        free.sort(key=lambda pair: (pair[1], pair[0].last_assigned_at or NEVER, pair[0].user_id))
    else:
        free.sort(key=lambda pair: (pair[0].last_assigned_at or NEVER, pair[0].user_id))
    return free
