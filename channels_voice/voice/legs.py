"""Offering a queued call to agents by calling them (Twilio REST), and cancelling the
offers nobody needs any more. Runs in workers (channels_voice.voice.tasks)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioException

from agents.models import Agent
from channels_voice.client import client_for
from channels_voice.voice.config import voice_config
from channels_voice.voice.facts import TERMINAL
from channels_voice.voice.links import hook_url
from channels_voice.voice.queue import bridged_leg, do_note_offer_leg, is_waiting, offer_legs
from channels_voice.voice.ringing import target_for
from conversations.models import Interaction

logger = logging.getLogger(__name__)

LEG_EVENTS = ["initiated", "ringing", "answered", "completed"]


def _destination(agent: Agent, call: Interaction) -> str:
    target = target_for(agent)
    if target.phone:
        return target.phone
    # Custom parameters ride on the client address: the softphone shows the caller
    # (the leg itself comes from our number) and opens the call's conversation.
    custom = urlencode({"conversation_id": call.conversation_id,
                        "caller": call.meta.get("from", "")})
    return f"client:{target.identity}?{custom}"


def _already_offered(call: Interaction, agent: Agent) -> bool:
    return any(leg.get("agent_id") == agent.user_id for leg in offer_legs(call.meta).values())


def place_offer_legs(call: Interaction, user_ids: list[int]) -> list[str]:
    """One outbound leg per agent not rung yet, while the caller still waits. Each
    leg's TwiML (the bridge step) dials the call's queue when the agent answers."""
    inbox = call.inbox
    assert inbox is not None
    config = voice_config(inbox)
    agents = Agent.objects.select_related("user").filter(user_id__in=user_ids).order_by("user_id")
    placed: list[str] = []
    for agent in agents:
        call.refresh_from_db(fields=["meta"])
        if not is_waiting(call):
            break
        if _already_offered(call, agent):
            continue
        leg = client_for(inbox).calls.create(
            to=_destination(agent, call),
            from_=inbox.address,
            url=hook_url("bridge", inbox, call=call.pk, agent=agent.user_id),
            method="POST",
            status_callback=hook_url("agent", inbox, call=call.pk, agent=agent.user_id),
            status_callback_event=LEG_EVENTS,
            status_callback_method="POST",
            timeout=config.ring_timeout,
        )
        placed.append(str(leg.sid))
        noted = do_note_offer_leg(call, agent, str(leg.sid))
        if noted is not None and not is_waiting(noted):
            # Someone answered (or the caller left) while this leg was being placed.
            cancel_offer_legs(noted, keep=bridged_leg(noted.meta))
    return placed


def cancel_offer_legs(call: Interaction, keep: str = "") -> list[str]:
    """Stop ringing every offer leg but `keep` (the agent who took the call). A leg
    that answered and lost the race is hung up; one that ended already is left alone."""
    inbox = call.inbox
    assert inbox is not None
    client = client_for(inbox)
    stopped: list[str] = []
    for sid, leg in sorted(offer_legs(call.meta).items()):
        if sid == keep or leg.get("status") in TERMINAL:
            continue
        # Twilio cancels only a leg that has not answered; an answered one is completed.
        status = "completed" if leg.get("status") == "in-progress" else "canceled"
        try:
            client.calls(sid).update(status=status)
        except TwilioException as exc:  # it ended on its own meanwhile: nothing to stop
            logger.info("offer leg %s of call %s not stopped: %s", sid, call.pk, exc)
            continue
        stopped.append(sid)
    return stopped
