"""Cold transfer of a live call to another agent or a team.

The caller's leg is redirected with new TwiML (calls(sid).update(twiml=…)): Twilio
leaves the current <Dial>, which drops the first agent, and rings the new target with
the same ring timeout and no-answer path (voicemail or a callback) as a fresh call.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from twilio.twiml.voice_response import VoiceResponse

from agents.models import Agent, Team
from channels_voice import twiml
from channels_voice.actions import do_note_transfer
from channels_voice.config import voice_config
from channels_voice.errors import CallError
from channels_voice.facts import TERMINAL
from channels_voice.flow import ring_directly
from channels_voice.offers import do_offer_call
from channels_voice.ringing import target_for
from channels_voice.transport import redirect_call
from conversations.models import Interaction, InteractionKind


def transfer_call(
    user: Any, call: Interaction, *, agent: Agent | None = None, team: Team | None = None
) -> Interaction:
    """CallError when the call cannot be transferred as asked; TransportError when
    Twilio could not move it (nothing is noted then)."""
    if call.kind != InteractionKind.CALL or not call.provider_id or call.inbox is None:
        raise CallError("Only a live phone call can be transferred.")
    if call.meta.get("status") in TERMINAL:
        raise CallError("The call has ended.", status=409)
    if (agent is None) == (team is None):
        raise CallError("Transfer to one agent or one team.")
    inbox, sid = call.inbox, call.provider_id
    config = voice_config(inbox)
    response = VoiceResponse()
    response.say("Please hold while we transfer your call.", language=config.language)
    if agent is not None:
        do_offer_call(inbox, sid, [agent], None)
        twiml.dial_targets(response, inbox, config, [target_for(agent)],
                           team_id=call.conversation.team_id, conversation_id=call.conversation_id)
    else:
        ring_directly(response, inbox, config, call, team)
    redirect_call(inbox, sid, str(response))
    target = agent.user.get_username() if agent is not None else team.name  # type: ignore[union-attr]
    do_note_transfer(
        inbox, sid,
        {"kind": "cold", "by": user.pk, "to_agent": agent.user_id if agent else None,
         "to_team": team.pk if team else None, "at": timezone.now().isoformat()},
        f"{user.get_username()} transferred the call to {target}",
    )
    call.refresh_from_db()
    return call
