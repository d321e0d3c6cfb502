"""Steps of the caller's path that need the database: where the call goes next.

Design: a call queue with hold music, and agents offered the call by a call of their own.

1. `POST /webhooks/twilio/voice/` records the call (one interaction per CallSid), then
   greets, then (optionally) runs the menu that picks a team. Outside hours: the closed
   greeting, then voicemail or a callback request.
2. `connect` picks the agents to offer the call to (until the routing engine decides:
   the chosen team's online agents, channels_voice.ringing). With nobody online
   the team's fallback number is <Dial>ed, else voicemail / callback as before.
3. Otherwise the caller is put in a Twilio queue of their own, `call-<interaction id>`:
   `<Enqueue waitUrl=hold/ action=after-queue/>`. One queue per call, not per team,
   because each agent is offered one specific caller (the screen pop shows who): the
   agent who answers must get exactly that caller, and first-answer-wins then needs no
   bookkeeping of ours. Fairness between callers (a FIFO per team, positions) is the
   routing engine's job, which will decide whom to offer which call.
4. `hold/` (the waitUrl) says the hold message and plays the hold music once; Twilio
   comes back for more with QueueTime, and once QueueTime >= ring_timeout answers
   `<Leave/>`. So a caller holds at most ring_timeout plus one play of the music (pick
   a short track for a tight timeout).
5. On commit, `offer_call_task` (a worker, never the webhook) places one outbound leg
   per agent through the twilio client: to `client:<identity>` (or the agent's phone),
   from the inbox number, TwiML from `bridge/`, status to `agent/?call=<id>`, ringing
   for ring_timeout. The screen pop (`call.ringing`) goes to each agent's socket when
   the call is queued for them.
6. `bridge/` answers the agent's leg with `<Dial><Queue url=agent-joined/>call-<id>`
   (or a goodbye when the caller is no longer waiting). Twilio runs `agent-joined/` on
   the caller's side as it bridges them: that records which leg won (`bridged`),
   assigns the conversation to that agent, and queues `cancel_offer_legs_task`, which
   cancels the other legs (hangs up one that answered too late).
7. `after-queue/` (the Enqueue action) hears how the wait ended: bridged (the talk is
   over: hang up), hangup (the caller gave up), or leave / queue-full / error: nobody
   answered in time, cancel the offers and offer voicemail or a callback (press 1 / 2).
8. Every callback folds into the one call interaction (channels_voice.callstate):
   an offer leg counts as answered only once bridged, so answered_by, wait and talk
   times stay right whatever order Twilio's callbacks arrive in, and repeats are no-ops.
Warm transfer (channels_voice.warm) moves the caller and the agent into a
conference named after the call; see there.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from agents.models import Team
from channels_voice import twiml
from channels_voice.actions import do_update_call_meta
from channels_voice.config import VoiceConfig
from channels_voice.offers import do_offer_call
from channels_voice.queue import do_queue_call, queue_name
from channels_voice.ringing import RingTarget, agents_to_ring, fallback_number, target_for
from conversations.models import Inbox, Interaction


def team_by_id(team_id: object) -> Team | None:
    try:
        return Team.objects.filter(pk=int(str(team_id))).first()
    except (TypeError, ValueError):
        return None


def connect(
    response: VoiceResponse, inbox: Inbox, config: VoiceConfig, call: Interaction, team: Team | None
) -> VoiceResponse:
    """Queue the caller and offer the call to the team's online agents; with nobody
    online, the fallback number; else voicemail."""
    team_id = team.pk if team is not None else None
    agents = agents_to_ring(team)
    if agents:
        do_queue_call(inbox, call, agents, team)
        return twiml.enqueue(response, inbox, queue_name(call.pk), call_id=call.pk,
                             team_id=team_id)
    return _no_agents(response, inbox, config, call, team)


def ring_directly(
    response: VoiceResponse, inbox: Inbox, config: VoiceConfig, call: Interaction, team: Team | None
) -> VoiceResponse:
    """<Dial> the team's online agents at once (a cold transfer of a live call, whose
    caller has already waited once); else the fallback number; else voicemail."""
    agents = agents_to_ring(team)
    if agents:
        do_offer_call(inbox, str(call.provider_id), agents, team)
        twiml.dial_targets(response, inbox, config, [target_for(a) for a in agents],
                           team_id=team.pk if team is not None else None,
                           conversation_id=call.conversation_id)
        return response
    return _no_agents(response, inbox, config, call, team)


def _no_agents(
    response: VoiceResponse, inbox: Inbox, config: VoiceConfig, call: Interaction, team: Team | None
) -> VoiceResponse:
    team_id = team.pk if team is not None else None
    number = fallback_number(config, team)
    if number:
        do_update_call_meta(inbox, str(call.provider_id), {"team_id": team_id, "fallback": number})
        twiml.dial_targets(response, inbox, config, [RingTarget(None, "", phone=number)],
                           team_id=team_id, conversation_id=call.conversation_id)
        return response
    do_update_call_meta(inbox, str(call.provider_id), {"team_id": team_id})
    return twiml.no_answer(inbox, config, team_id=team_id, response=response)
