"""Writes for a queued call: queueing it, an agent taking it out, the caller leaving.

Each runs in one transaction and queues its Twilio REST work (placing or cancelling
agent legs, channels_voice.legs) as a task on commit, so a webhook answers at
once and a worker never sees a call that is not committed yet.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agents.models import Agent, Team
from channels_voice.actions import do_apply_call_event, do_update_call_meta
from channels_voice.facts import TERMINAL
from channels_voice.offers import do_offer_call, do_take_call
from conversations.models import Inbox, Interaction
from jobs.outbox import enqueue_job


def queue_name(call_id: int) -> str:
    """One Twilio queue per call: whoever answers an offer gets exactly the caller the
    screen pop showed them (see the design note in channels_voice.flow)."""
    return f"call-{call_id}"


def offer_legs(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {sid: leg for sid, leg in meta.get("legs", {}).items() if leg.get("offer")}


def bridged_leg(meta: dict[str, Any]) -> str:
    return next((sid for sid, leg in offer_legs(meta).items() if leg.get("bridged")), "")


def is_waiting(call: Interaction) -> bool:
    """The caller still holds in the queue: not bridged, not left, not hung up."""
    meta = call.meta
    return (
        meta.get("status") not in TERMINAL
        and not meta.get("queue_result")
        and not bridged_leg(meta)
    )


def do_queue_call(inbox: Inbox, call: Interaction, agents: list[Agent], team: Team | None) -> None:
    """The caller is about to <Enqueue>: note the queue, pop the caller up on each
    agent's screen, and have a worker place one call leg to each of them."""
    from channels_voice.tasks import offer_call_task

    with transaction.atomic():
        do_offer_call(inbox, str(call.provider_id), agents, team)
        do_update_call_meta(inbox, str(call.provider_id), {"queue": queue_name(call.pk)})
        enqueue_job(offer_call_task, call.pk, [agent.user_id for agent in agents])


def do_note_offer_leg(call: Interaction, agent: Agent, leg_sid: str) -> Interaction | None:
    """Remember the leg placed to an agent, so a retried task does not ring them twice
    and the leg can be cancelled when someone else answers."""
    assert call.inbox is not None
    return do_apply_call_event(
        call.inbox, str(call.provider_id), "leg",
        {"CallSid": leg_sid, "offer": True, "agent_id": agent.user_id,
         "agent": agent.user.get_username(), "CallStatus": "queued"},
    )


def do_bridge_call(inbox: Inbox, call_sid: str, params: dict[str, Any]) -> Interaction | None:
    """An agent's leg took the caller out of the queue: theirs is the call; the other
    offers are cancelled by a worker."""
    from channels_voice.tasks import cancel_offer_legs_task

    with transaction.atomic():
        call = do_apply_call_event(inbox, call_sid, "bridge", params)
        if call is None:
            return None
        if params.get("agent_id"):
            do_take_call(inbox, call_sid, int(params["agent_id"]))
        enqueue_job(cancel_offer_legs_task, call.pk, str(params.get("DequeingCallSid", "")))
    return call


def do_leave_queue(inbox: Inbox, call_sid: str, params: dict[str, Any]) -> Interaction | None:
    """<Enqueue action>: the caller left the queue (bridged and done, timed out, hung
    up). Unless an agent has them, nobody needs to ring any longer."""
    from channels_voice.tasks import cancel_offer_legs_task

    with transaction.atomic():
        call = do_apply_call_event(inbox, call_sid, "queue", params)
        if call is not None and params.get("QueueResult") != "bridged":
            enqueue_job(cancel_offer_legs_task, call.pk, "")
    return call
