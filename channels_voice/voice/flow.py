"""Steps of the caller's path that need the database: where the call goes next."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from agents.models import Team
from channels_voice.voice import twiml
from channels_voice.voice.actions import do_update_call_meta
from channels_voice.voice.config import VoiceConfig
from channels_voice.voice.offers import do_offer_call
from channels_voice.voice.ringing import RingTarget, agents_to_ring, fallback_number, target_for
from conversations.models import Inbox, Interaction


def team_by_id(team_id: object) -> Team | None:
    try:
        return Team.objects.filter(pk=int(str(team_id))).first()
    except (TypeError, ValueError):
        return None


def connect(
    response: VoiceResponse, inbox: Inbox, config: VoiceConfig, call: Interaction, team: Team | None
) -> VoiceResponse:
    """Ring the team's online agents; else its fallback number; else voicemail."""
    team_id = team.pk if team is not None else None
    agents = agents_to_ring(team)
    if agents:
        do_offer_call(inbox, str(call.provider_id), agents, team)
        twiml.dial_targets(response, inbox, config, [target_for(a) for a in agents],
                           team_id=team_id, conversation_id=call.conversation_id)
        return response
    number = fallback_number(config, team)
    if number:
        do_update_call_meta(inbox, str(call.provider_id), {"team_id": team_id, "fallback": number})
        twiml.dial_targets(response, inbox, config, [RingTarget(None, "", phone=number)],
                           team_id=team_id, conversation_id=call.conversation_id)
        return response
    do_update_call_meta(inbox, str(call.provider_id), {"team_id": team_id})
    return twiml.no_answer(inbox, config, team_id=team_id, response=response)
