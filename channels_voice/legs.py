"""Offering a queued call to agents by calling them (Twilio REST), and cancelling the
offers nobody needs any more. Runs in workers (channels_voice.tasks), which retry a
temporary TransportError; both steps are safe to repeat."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from agents.models import Agent
from channels_voice.config import voice_config
from channels_voice.facts import TERMINAL
from channels_voice.links import hook_url
from channels_voice.queue import bridged_leg, do_note_offer_leg, is_waiting, offer_legs
from channels_voice.ringing import target_for
from channels_voice.transport import create_call, end_call
from conversations.models import Interaction
from conversations.transports import TransportError

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
    leg's TwiML (the bridge step) dials the call's queue when the agent answers.
    Twilio refusing one agent's leg (their phone number, say) skips that agent; a
    temporary TransportError stops here, for the task to retry the rest."""
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
        try:
            leg = create_call(
                inbox,
                to=_destination(agent, call),
                from_=inbox.address,
                url=hook_url("bridge", inbox, call=call.pk, agent=agent.user_id),
                method="POST",
                status_callback=hook_url("agent", inbox, call=call.pk, agent=agent.user_id),
                status_callback_event=LEG_EVENTS,
                status_callback_method="POST",
                timeout=config.ring_timeout,
            )
        except TransportError as exc:
            if not exc.permanent:
                raise
            logger.warning("call %s not offered to agent %s: %s", call.pk, agent.user_id, exc)
            continue
        placed.append(str(leg.sid))
        noted = do_note_offer_leg(call, agent, str(leg.sid))
        if noted is not None and not is_waiting(noted):
            # Someone answered (or the caller left) while this leg was being placed.
            cancel_offer_legs(noted, keep=bridged_leg(noted.meta))
    return placed


def cancel_offer_legs(call: Interaction, keep: str = "") -> list[str]:
    """Stop ringing every offer leg but `keep` (the agent who took the call). A leg
    that answered and lost the race is hung up; one that ended already is left alone.
    When Twilio could not be reached for some legs, the others are still stopped and
    the first temporary TransportError is raised at the end, for the task to retry."""
    inbox = call.inbox
    assert inbox is not None
    stopped: list[str] = []
    unreached: list[TransportError] = []
    for sid, leg in sorted(offer_legs(call.meta).items()):
        if sid == keep or leg.get("status") in TERMINAL:
            continue
        try:
            end_call(inbox, sid, answered=leg.get("status") == "in-progress")
        except TransportError as exc:
            if not exc.permanent:
                unreached.append(exc)
            else:  # it ended on its own meanwhile: nothing to stop
                logger.info("offer leg %s of call %s not stopped: %s", sid, call.pk, exc)
            continue
        stopped.append(sid)
    if unreached:
        raise unreached[0]
    return stopped
