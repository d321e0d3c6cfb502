"""Reads with permission checks: which conversations an agent may see and change."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from agents.access import agent_for, team_ids_of
from conversations.models import Conversation, Interaction


class NotAgent(PermissionError):
    """The user is signed in but is not helpdesk staff."""


def visibility_filter(user: Any, prefix: str = "") -> Q | None:
    """None: sees everything. Otherwise the Q a conversation (at `prefix`) must match."""
    agent = agent_for(user)
    if agent is None:
        raise NotAgent("not an agent")
    if agent.sees_everything:
        return None
    return Q(**{f"{prefix}team_id__in": team_ids_of(agent)}) | Q(
        **{f"{prefix}assignee_id": user.pk}
    )


def visible_conversations(user: Any) -> QuerySet[Conversation]:
    rule = visibility_filter(user)
    qs = Conversation.objects.all()
    return qs if rule is None else qs.filter(rule)


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    rule = visibility_filter(user, prefix="conversation__")
    qs = Interaction.objects.all()
    return qs if rule is None else qs.filter(rule)


def access_conversation(user: Any, conversation_id: int | str) -> Conversation:
    """The conversation if this user may see it; Http404 otherwise (no existence leak)."""
    try:
        return visible_conversations(user).select_related("customer").get(pk=conversation_id)
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such conversation.") from None
