"""Offering a call to agents (the screen pop), an agent taking it, and callback requests."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, Team
from channels_voice.actions import lock_call
from channels_voice.callstate import derive
from conversations.actions.timeline import record_event
from conversations.actions.update import do_update_conversation
from conversations.models import Inbox, Interaction, Priority
from conversations.notify import notify_interaction
from conversations.payloads import conversation_payload
from customers.payloads import screen_pop_history_payload
from customers.queries import screen_pop_history
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish

CALLBACK_TAG = "callback-requested"
CALLBACK_REQUESTED = "callback_requested"  # the timeline event type


def screen_pop_payload(call: Interaction, user: Any) -> dict[str, Any]:
    """Who is calling and what they said before, as far as this agent may see."""
    history = screen_pop_history(user, call.customer_id, exclude_interaction_id=call.pk)
    return {
        "call": {
            "interaction_id": call.pk,
            "call_sid": call.provider_id,
            "inbox_id": call.inbox_id,
            "from": call.meta.get("from", ""),
            "to": call.meta.get("to", ""),
            "direction": call.meta.get("direction", ""),
            "team_id": call.meta.get("team_id"),
        },
        **screen_pop_history_payload(history),
        "conversation": conversation_payload(call.conversation),
    }


def do_offer_call(inbox: Inbox, call_sid: str, agents: list[Agent], team: Team | None) -> None:
    """Note who the call rings and pop the caller up on each of their screens."""
    with transaction.atomic():
        call = lock_call(inbox, call_sid)
        if call is None:
            return
        meta = copy.deepcopy(call.meta)
        offered = list(meta.get("offered_to", []))
        offered += [a.user_id for a in agents if a.user_id not in offered]
        meta["offered_to"] = offered
        meta["team_id"] = team.pk if team is not None else None
        if team is not None and call.conversation.team_id != team.pk:
            # The menu's choice is the conversation's team, so whoever the call rings may
            # open the caller's history (and the team's queues count it).
            do_update_conversation(call.conversation, by=None, changes={"team": team})
        if meta != call.meta:
            call.meta = meta
            call.save(update_fields=["meta", "updated_at"])
            notify_interaction(call, created=False)
        for agent in agents:
            publish(events.CALL_RINGING, screen_pop_payload(call, agent.user),
                    Audience.agent(agent.user_id))


def do_take_call(inbox: Inbox, call_sid: str, user_id: int) -> None:
    """An agent answered: the conversation is theirs unless someone already has it."""
    with transaction.atomic():
        call = lock_call(inbox, call_sid)
        if call is None or call.conversation.assignee_id is not None:
            return
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            do_update_conversation(call.conversation, by=user, changes={"assignee": user})


def do_request_callback(inbox: Inbox, call_sid: str, team: Team | None) -> Interaction | None:
    """The caller pressed 2: mark the conversation for the team's queue, high priority."""
    with transaction.atomic():
        call = lock_call(inbox, call_sid)
        if call is None or call.meta.get("callback_requested"):
            return call
        number = call.meta.get("from", "")
        meta = {**copy.deepcopy(call.meta), "callback_requested": True,
                "callback_number": number, "callback_requested_at": timezone.now().isoformat()}
        derive(meta)
        call.meta = meta
        call.save(update_fields=["meta", "updated_at"])
        notify_interaction(call, created=False)
        conversation = call.conversation
        record_event(
            conversation, CALLBACK_REQUESTED, f"The caller asked to be called back at {number}",
            meta={"call_sid": call_sid, "number": number, "interaction_id": call.pk},
        )
        changes: dict[str, Any] = {
            "tags": [*conversation.tags, CALLBACK_TAG],
            "priority": max(conversation.priority, Priority.HIGH),
        }
        if team is not None:
            changes["team"] = team
        do_update_conversation(conversation, by=None, changes=changes)
    return call
