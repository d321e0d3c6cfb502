"""Assignment inside a team, on events: a conversation arrives, an agent frees capacity
(resolves, sets pending) or comes online, a conversation is transferred; a beat sweep
is the safety net. Never two assignees, never over capacity, under any concurrency:

- the waiting conversation is locked with SKIP LOCKED (two workers take different ones)
  and re-read under the lock (still open and unassigned);
- the chosen agent's row is locked (blocking, so assigners to one agent queue up) and
  their load is counted again under that lock before the assignment.

The assignment itself is the conversation action (its timeline event and hooks).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from agents.models import Agent, AssignmentMode, Presence, Team
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, ConversationStatus
from routing.assignment import OnlineAgents, loads, required_skills, waiting_queue

logger = logging.getLogger(__name__)

PASS_LIMIT = 200  # waiting conversations looked at per pass


def do_assign_waiting(team_id: int, limit: int = PASS_LIMIT) -> int:
    """Assign the team's waiting conversations in queue order while agents have room;
    returns how many were assigned."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None or team.assignment_mode == AssignmentMode.MANUAL:
        return 0
    # (channel, required skills) nobody online has room for in this pass: a conversation
    # that needs a skill nobody has does not hold up the others of its channel.
    full: set[tuple[str, frozenset[str]]] = set()
    assigned = 0
    waiting = waiting_queue(team_id).values_list("pk", "last_inbound_channel", "tags")[:limit]
    online: OnlineAgents | None = None  # read once the first waiter needs them
    for conversation_id, channel, tags in waiting:
        if (channel, required_skills(tags)) not in full:
            online = online or OnlineAgents(team)
            assigned += _assign_one(online, conversation_id, full)
    return assigned


def _assign_one(
    online: OnlineAgents, conversation_id: int, full: set[tuple[str, frozenset[str]]]
) -> bool:
    team = online.team
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(
                pk=conversation_id,
                team_id=team.pk,
                status=ConversationStatus.OPEN,
                assignee__isnull=True,
            )
            .first()
        )
        if conversation is None:
            return False  # taken, changed, or being changed right now
        channel = conversation.last_inbound_channel or conversation.awaiting_channel
        skills = required_skills(conversation.tags)
        if (channel, skills) in full:
            return False
        for candidate, _load in online.candidates(channel, conversation.customer.language,
                                                  skills):
            agent = Agent.objects.select_for_update().select_related("user").get(
                pk=candidate.pk
            )
            if agent.presence != Presence.ONLINE:
                online.gone(candidate)
                continue
            held = loads([agent.user_id], channel).get(agent.user_id, 0)
            if held >= agent.capacity_for(channel, team):
                online.counted(candidate, channel, held)
                continue
            now = timezone.now()
            Agent.objects.filter(pk=agent.pk).update(last_assigned_at=now)
            do_update_conversation(conversation, by=None, changes={"assignee": agent.user})
            candidate.last_assigned_at = now  # round robin: to the back of the pass's line
            online.counted(candidate, channel, held + 1)
            return True
        full.add((channel, skills))
        return False


def do_assign_all_waiting() -> int:
    """The safety net (beat): every team with a waiting conversation."""
    return sum(do_assign_waiting(team_id) for team_id in waiting_team_ids())


def waiting_team_ids() -> list[int]:
    """Each team with an open, unassigned conversation, once."""
    return list(
        Conversation.objects.filter(
            status=ConversationStatus.OPEN, assignee__isnull=True, team__isnull=False
        )
        .values_list("team_id", flat=True)
        # Without order_by() the model's ordering (last activity, id) joins the DISTINCT:
        # one row per waiting conversation instead of one per team.
        .order_by()
        .distinct()
    )
