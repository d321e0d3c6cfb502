"""notify_* functions: the realtime events of conversation changes. Called by actions only."""

from __future__ import annotations

from conversations.models import Conversation, Interaction
from conversations.payloads import conversation_payload, interaction_payload
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish


def conversation_audience(conversation: Conversation, *also: Audience) -> Audience:
    team_ids = {conversation.team_id}
    user_ids = {conversation.assignee_id}
    for extra in also:
        team_ids |= set(extra.team_ids)
        user_ids |= set(extra.user_ids)
    return Audience.of(team_ids, user_ids)


def notify_conversation(
    conversation: Conversation, *, created: bool = False, previous: Audience | None = None
) -> None:
    """`previous` reaches whoever saw the conversation before a team or assignee change,
    so their lists drop it."""
    audience = conversation_audience(conversation, *([previous] if previous else []))
    name = events.CONVERSATION_CREATED if created else events.CONVERSATION_UPDATED
    publish(name, conversation_payload(conversation), audience)


def notify_interaction(interaction: Interaction, *, created: bool = True) -> None:
    audience = conversation_audience(interaction.conversation)
    name = events.INTERACTION_CREATED if created else events.INTERACTION_UPDATED
    publish(name, interaction_payload(interaction), audience)
