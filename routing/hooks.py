from __future__ import annotations

from agents.models import Agent, Presence
from conversations.hooks import RecordedInbound
from conversations.models import Conversation, ConversationStatus
from jobs.outbox import enqueue_job


def queue_inbound_work(recorded: RecordedInbound) -> None:
    """Filled into conversations.hooks.after_inbound, inside the inbound's transaction:
    routing (rules, then assignment) is a job of that change, run by a worker. A
    follow-up on the customer's last channel into a conversation that is assigned, or
    already waiting in its team's queue, gives routing nothing to do, so it costs no job:
    rules run on new conversations and channel switches, the SLA clock was kept in this
    transaction, and a waiter is assigned when an agent's room changes (after_change,
    after_presence, after_capacity, the beat's sweep), which a message does not do."""
    if not needs_routing(recorded):
        return
    from routing.tasks import route_inbound_task

    enqueue_job(route_inbound_task, recorded.conversation.pk, recorded.interaction.pk,
                recorded.conversation_created)


def needs_routing(recorded: RecordedInbound) -> bool:
    conversation = recorded.conversation
    newly_waiting = recorded.reopened and (
        conversation.assignee_id is None and conversation.team_id is not None
    )
    return recorded.conversation_created or recorded.switched_channel or newly_waiting


def queue_requeued(conversation: Conversation) -> None:
    """conversations.hooks.after_requeue: a conversation an agent unassigned or moved
    (or a snooze that ended unassigned) waits in its team's queue: assign the waiters."""
    from routing.tasks import assign_team_task

    if conversation.team_id is not None:
        enqueue_job(assign_team_task, conversation.team_id)


def queue_freed_capacity(conversation: Conversation) -> None:
    """conversations.hooks.after_change: an assigned conversation no longer open frees
    its agent's room; the team's waiting conversations are looked at."""
    if (
        conversation.team_id is not None
        and conversation.assignee_id is not None
        and conversation.status != ConversationStatus.OPEN
    ):
        from routing.tasks import assign_team_task

        enqueue_job(assign_team_task, conversation.team_id)


def queue_agent_online(agent: Agent, previous: str) -> None:
    """agents.actions.presence.after_presence: an agent who came online takes waiters."""
    if agent.presence == Presence.ONLINE and previous != Presence.ONLINE:
        from routing.tasks import assign_team_task

        for team_id in agent.teams.values_list("id", flat=True):
            enqueue_job(assign_team_task, team_id)


def queue_more_room(team_ids: list[int]) -> None:
    """agents.actions.routing_settings.after_capacity: more room may take waiters."""
    from routing.tasks import assign_team_task

    for team_id in team_ids:
        enqueue_job(assign_team_task, team_id)
