"""Warm transfer: the agent who has the caller introduces them to a colleague, then leaves.

1. `start_warm_transfer`: the call notes its conference (`call-<id>`, meta "warm"), then
   the current agent's leg and the caller are moved into that conference with new TwiML
   (calls(sid).update(twiml=<Dial><Conference>)): the agent first, so that when the
   queue bridge breaks the caller's <Enqueue action> (after-queue/) already finds the
   conference and sends the caller there too; the caller's own update makes it certain.
   The caller enters with startConferenceOnEnter=false: until an agent is in the room
   they hear the hold music (the conference waitUrl), never silence. The caller ends the
   conference on leaving; agents do not.
2. The target agent is called (a leg of their own, TwiML from conference/), and joins.
3. `complete_warm_transfer` (POST …/transfer/complete/) once the target's leg is in
   progress: the first agent's leg is hung up and the conversation is the target's.
   The first agent may also simply hang up.
Each step is a system event on the conversation's timeline.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from twilio.twiml.voice_response import VoiceResponse

from agents.models import Agent
from channels_voice.actions import CALL_TRANSFERRED, lock_call
from channels_voice.config import VoiceConfig, voice_config
from channels_voice.errors import CallError
from channels_voice.facts import TERMINAL
from channels_voice.legs import LEG_EVENTS
from channels_voice.links import hook_url
from channels_voice.queue import bridged_leg
from channels_voice.ringing import target_for
from channels_voice.transport import create_call, end_call, redirect_call
from conversations.actions.timeline import record_event
from conversations.actions.update import do_update_conversation
from conversations.models import Inbox, Interaction
from conversations.notify import notify_interaction
from conversations.transports import TransportError


def conference_name(call_id: int) -> str:
    return f"call-{call_id}"


def conference_twiml(inbox: Inbox, config: VoiceConfig, call_id: int, *,
                     caller: bool) -> VoiceResponse:
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(
        conference_name(call_id),
        start_conference_on_enter=not caller,
        end_conference_on_exit=caller,
        wait_url=config.hold_music_url,
        wait_method="GET",
        beep=False,
    )
    return response


def in_warm_transfer(call: Interaction) -> bool:
    return bool(call.meta.get("warm")) and call.meta.get("status") not in TERMINAL


def _destination(agent: Agent) -> str:
    target = target_for(agent)
    return target.phone or f"client:{target.identity}"


def start_warm_transfer(user: Any, call: Interaction, agent: Agent) -> Interaction:
    inbox = call.inbox
    if inbox is None or not call.provider_id:
        raise CallError("Only a live phone call can be transferred.")
    leg = bridged_leg(call.meta)
    if not leg:
        raise CallError("A warm transfer needs a call an agent took from the queue.", 409)
    if call.meta.get("warm", {}).get("status") == "started":
        raise CallError("A warm transfer of this call is already under way.", 409)
    config = voice_config(inbox)
    do_note_warm(inbox, call.provider_id, {
        "status": "started", "by": user.pk, "from_leg": leg, "to_agent": agent.user_id,
        "conference": conference_name(call.pk), "at": timezone.now().isoformat(),
    }, f"{user.get_username()} started a warm transfer to {agent.user.get_username()}")
    try:
        redirect_call(inbox, leg, str(conference_twiml(inbox, config, call.pk, caller=False)))
        redirect_call(inbox, call.provider_id,
                      str(conference_twiml(inbox, config, call.pk, caller=True)))
        placed = create_call(
            inbox, to=_destination(agent), from_=inbox.address, method="POST",
            url=hook_url("conference", inbox, call=call.pk, agent=agent.user_id),
            status_callback=hook_url("agent", inbox, call=call.pk, agent=agent.user_id,
                                     transfer=1),
            status_callback_event=LEG_EVENTS, status_callback_method="POST",
            timeout=config.ring_timeout,
        )
    except TransportError as exc:
        # Whatever moved into the conference stays there (the caller follows the agent,
        # see after-queue/); the agent may start the transfer again.
        do_note_warm(inbox, call.provider_id, {"status": "failed", "error": exc.message},
                     f"The warm transfer to {agent.user.get_username()} failed: {exc.message}")
        raise
    do_note_warm(inbox, call.provider_id, {"to_leg": str(placed.sid)}, "")
    call.refresh_from_db()
    return call


def complete_warm_transfer(user: Any, call: Interaction) -> Interaction:
    """The first agent leaves the conference; the caller stays with the target.
    TransportError when Twilio could not end the agent's leg (nothing changes then)."""
    inbox = call.inbox
    warm = call.meta.get("warm") or {}
    if inbox is None or warm.get("status") != "started":
        raise CallError("This call has no warm transfer under way.", 409)
    target_leg = call.meta.get("legs", {}).get(warm.get("to_leg", ""), {})
    if target_leg.get("status") != "in-progress":
        # Leaving before the target is in would leave the caller alone in the room.
        raise CallError("The agent you transfer to has not joined yet.", 409)
    end_call(inbox, warm["from_leg"], answered=True)
    target = get_user_model().objects.get(pk=warm["to_agent"])
    by = get_user_model().objects.get(pk=warm["by"])
    with transaction.atomic():
        do_note_warm(inbox, str(call.provider_id),
                     {"status": "completed", "completed_at": timezone.now().isoformat()},
                     f"warm transfer from {by.get_username()} to {target.get_username()}")
        do_update_conversation(call.conversation, by=user, changes={"assignee": target})
    call.refresh_from_db()
    return call


def do_note_warm(inbox: Inbox, call_sid: str, changes: dict[str, Any], text: str) -> None:
    """Merge into the call's meta["warm"]; a non-empty `text` is also a timeline event."""
    with transaction.atomic():
        call = lock_call(inbox, call_sid)
        if call is None:
            return
        meta = copy.deepcopy(call.meta)
        meta["warm"] = {**meta.get("warm", {}), **changes}
        if changes.get("status") == "started":
            meta["transfers"] = [*meta.get("transfers", []), {"kind": "warm", **changes}]
        call.meta = meta
        call.save(update_fields=["meta", "updated_at"])
        notify_interaction(call, created=False)
        if text:
            record_event(call.conversation, CALL_TRANSFERRED, text,
                         meta={**meta["warm"], "kind": "warm", "call_sid": call_sid})
