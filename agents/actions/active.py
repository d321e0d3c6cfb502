"""Deactivating and reactivating agents. A deactivated agent's user is inactive, so
Django refuses their session and their sign-in; they are offline at once and their
sockets close (the `agent.updated` event makes them re-read the profile, which is gone);
their unresolved conversations are unassigned by a job, through the conversation
update action, which asks routing to assign the open ones (their team's queue).
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import transaction

from agents.actions.presence import OFFLINE_FIELDS, go_offline
from agents.models import Agent
from agents.notify import notify_agent_updated
from jobs.outbox import enqueue_job

logger = logging.getLogger(__name__)


class AgentActiveError(ValueError):
    pass


def do_set_agent_active(agent: Agent, *, active: bool, by: User | None) -> Agent:
    """Deactivate (`active=False`) or reactivate the agent; nothing if already so."""
    if not active and by is not None and by.pk == agent.user_id:
        raise AgentActiveError("You cannot deactivate yourself; ask another admin.")
    from agents.tasks import unassign_deactivated_task

    with transaction.atomic():
        # Locks the agent's row and their user's.
        locked = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
        user = locked.user
        if user.is_active == active:
            return locked
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            go_offline(locked, by=by, reason="deactivated")
            locked.save(update_fields=OFFLINE_FIELDS)
            enqueue_job(unassign_deactivated_task, user.pk, by.pk if by is not None else None)
        notify_agent_updated(locked, list(locked.teams.values_list("id", flat=True)))
        logger.info("agent %s %s (by %s)", locked.user_id,
                    "reactivated" if active else "deactivated",
                    by.get_username() if by is not None else "omnidesk")
    return locked


def do_unassign_deactivated(user_id: int, by_id: int | None) -> int:
    """Unassign the unresolved conversations of a still deactivated user, one transaction
    each (the conversation's own action); returns how many. Safe to run again."""
    from conversations.actions.update import do_update_conversation
    from conversations.models import Conversation, ConversationStatus

    if User.objects.filter(pk=user_id, is_active=True).exists():
        return 0  # reactivated before the job ran: they keep their conversations
    by = User.objects.filter(pk=by_id).first() if by_id is not None else None
    ids = list(
        Conversation.objects.filter(assignee_id=user_id)
        .exclude(status=ConversationStatus.RESOLVED)
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            # Still theirs under the lock: one reassigned meanwhile is left alone.
            conversation = (
                Conversation.objects.select_for_update(no_key=True)
                .filter(pk=pk, assignee_id=user_id).first()
            )
            if conversation is None:
                continue
            # An open one now waits in its team's queue, and routing is asked to assign
            # it (conversations.hooks.after_requeue).
            do_update_conversation(conversation, by=by, changes={"assignee": None})
        done += 1
    logger.info("deactivated user %s: %d conversations unassigned", user_id, done)
    return done
