"""notify_* functions: the realtime events of conversation changes. Called by actions only."""

from __future__ import annotations

from conversations.models import Attachment, Conversation, Interaction
from conversations.payloads import conversation_payload, interaction_payload
from realtime import events
from realtime.audience import Audience
from realtime.publish import Event, publish_many


def conversation_audience(conversation: Conversation, *also: Audience) -> Audience:
    """Leads and admins, the conversation's team and its assignee (and `also`)."""
    audience = Audience.of([conversation.team_id], [conversation.assignee_id])
    for extra in also:
        audience |= extra
    return audience


def conversation_event(
    conversation: Conversation, *, created: bool = False, previous: Audience | None = None
) -> Event:
    """`previous` reaches whoever saw the conversation before a team or assignee change,
    so their lists drop it."""
    audience = conversation_audience(conversation, *([previous] if previous else []))
    name = events.CONVERSATION_CREATED if created else events.CONVERSATION_UPDATED
    return Event(name, conversation_payload(conversation), audience)


def interaction_event(
    interaction: Interaction,
    *,
    created: bool = True,
    attachments: list[Attachment] | None = None,
) -> Event:
    """`attachments`: the interaction's attachments when the caller has them at hand
    (saves a query); a new interaction without any has none to look up."""
    if attachments is None and created:
        attachments = []
    audience = conversation_audience(interaction.conversation)
    name = events.INTERACTION_CREATED if created else events.INTERACTION_UPDATED
    return Event(name, interaction_payload(interaction, attachments), audience)


def notify(*pending: Event) -> None:
    publish_many(list(pending))


def notify_conversation(
    conversation: Conversation, *, created: bool = False, previous: Audience | None = None
) -> None:
    notify(conversation_event(conversation, created=created, previous=previous))


def notify_interaction(
    interaction: Interaction,
    *,
    created: bool = True,
    attachments: list[Attachment] | None = None,
) -> None:
    notify(interaction_event(interaction, created=created, attachments=attachments))
