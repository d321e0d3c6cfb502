"""Named extension points the core calls when an inbound event or a reply is recorded.

The routing app fills these (routing/apps.py) with functions that enqueue its jobs:
`after_inbound` for routing and SLA clocks of a conversation that received a message,
`after_reply` for the SLA bookkeeping of an agent's response. The core knows only the
names, never the app. They run inside the change's transaction, so the work they
record (jobs/) commits with it; they must only write, never send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from conversations.models import Conversation, Interaction



@dataclass(frozen=True)
class RecordedInbound:
    """What an `after_inbound` hook is told: the conversation (locked and saved) and the
    inbound interaction just recorded, so a hook that has nothing to do decides so
    without a query."""

    conversation: Conversation
    interaction: Interaction
    conversation_created: bool
    # The customer wrote on another channel than their previous message's.
    switched_channel: bool
    # The message reopened a resolved or snoozed conversation.
    reopened: bool = False


InboundHook = Callable[[RecordedInbound], None]
ReplyHook = Callable[[int, int], None]  # conversation id, interaction id
# conversation id, the new assignee's user id, who assigned (user id; None: omnidesk)
AssignHook = Callable[[int, int, int | None], None]

# The conversation (locked and saved) after a change to what its SLA clock and routing
# read: an inbound, a reply, a status, priority or team change. Called before the change
# is published: a hook may update the instance's due times, which the payload carries.
ChangeHook = Callable[["Conversation"], None]

after_inbound: list[InboundHook] = []
after_change: list[ChangeHook] = []
# A change by an agent or omnidesk (not an inbound) left an open conversation waiting in
# a team's queue: unassigned, moved to another team, or woken from a snooze without an
# assignee. Routing assigns the team's waiters. After the after_change hooks.
after_requeue: list[ChangeHook] = []
# The conversation (locked and saved) was just resolved by a status change (after the
# after_change hooks): csat queues its survey.
ResolveHook = Callable[["Conversation"], None]
after_resolve: list[ResolveHook] = []
after_reply: list[ReplyHook] = []
# The workspace fills it with the assignee's notification.
after_assign: list[AssignHook] = []
# A system event was recorded on a timeline (conversations.actions.timeline.record_event:
# the conversation, the event's interaction); inside its transaction. The workspace turns
# routing's SLA warnings into notifications.
EventHook = Callable[["Conversation", "Interaction"], None]
after_event: list[EventHook] = []
# An agent is typing a reply (their socket's "typing" frame, access already checked): a
# channel with a live customer on the other end (chat) tells them.
TypingHook = Callable[["User", "Conversation"], object]
agent_typing: list[TypingHook] = []


def run_after_inbound(recorded: RecordedInbound) -> None:
    for hook in after_inbound:
        hook(recorded)


def run_after_reply(conversation_id: int, interaction_id: int) -> None:
    for hook in after_reply:
        hook(conversation_id, interaction_id)


def run_after_assign(conversation_id: int, assignee_id: int, by_id: int | None) -> None:
    for hook in after_assign:
        hook(conversation_id, assignee_id, by_id)


def run_agent_typing(user: User, conversation: Conversation) -> None:
    for hook in agent_typing:
        hook(user, conversation)


def run_after_change(conversation: Conversation) -> None:
    for hook in after_change:
        hook(conversation)


def run_after_requeue(conversation: Conversation) -> None:
    for hook in after_requeue:
        hook(conversation)


def run_after_event(conversation: Conversation, event: Interaction) -> None:
    for hook in after_event:
        hook(conversation, event)


def run_after_resolve(conversation: Conversation) -> None:
    for hook in after_resolve:
        hook(conversation)
