"""Twilio's webhooks of a queued call: hold music, the caller leaving the queue, an
offered agent's leg answering, and the caller being bridged to that agent.

All signed (twilio_webhook) and fast: the REST work they cause runs in workers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from twilio.twiml.voice_response import VoiceResponse

from channels_voice.twilio_auth import twilio_webhook
from channels_voice.voice import twiml
from channels_voice.voice.config import voice_config
from channels_voice.voice.facts import flat_params, int_param
from channels_voice.voice.queue import do_bridge_call, do_leave_queue, is_waiting, queue_name
from channels_voice.voice.warm import conference_twiml, in_warm_transfer
from channels_voice.voice.webhooks import resolve_inbox, team_id_of, twiml_response, username
from conversations.models import Inbox, Interaction, InteractionKind

# How a wait in the queue ended, when the caller is still on the line and nobody took
# them: Twilio's QueueResult values other than bridged / bridging-in-process / hangup.
GAVE_UP = frozenset({"leave", "queue-full", "error", "system-error", "redirected"})


def call_named(request: HttpRequest, inbox: Inbox) -> Interaction | None:
    """The call interaction our own URL names (?call=<interaction id>)."""
    call_id = request.GET.get("call", "")
    if not call_id.isdigit():
        return None
    return Interaction.objects.filter(
        pk=int(call_id), inbox=inbox, kind=InteractionKind.CALL
    ).first()


@twilio_webhook(resolve_inbox)
def hold(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """<Enqueue waitUrl>: reads nothing but the config, so it answers at once."""
    queue_time = int_param(request.POST, "QueueTime") or 0
    return twiml_response(twiml.hold(voice_config(inbox), queue_time))


@twilio_webhook(resolve_inbox)
def after_queue(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """<Enqueue action>: the caller left the queue."""
    result = request.POST.get("QueueResult", "")
    call = do_leave_queue(inbox, request.POST.get("CallSid", ""), flat_params(request.POST))
    if call is not None and result == "bridged" and in_warm_transfer(call):
        # The agent's leg moved into the warm-transfer conference: the caller follows.
        return twiml_response(conference_twiml(inbox, voice_config(inbox), call.pk, caller=True))
    if result not in GAVE_UP:
        return twiml_response(twiml.hangup())  # talked to an agent, or hung up
    config = voice_config(inbox)
    return twiml_response(twiml.no_answer(inbox, config, team_id=team_id_of(request)))


@twilio_webhook(resolve_inbox)
def bridge(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """The TwiML of an offered agent's leg, asked when the agent answers."""
    config = voice_config(inbox)
    call = call_named(request, inbox)
    agent_id = request.GET.get("agent", "")
    if call is None or not is_waiting(call) or not agent_id.isdigit():
        return twiml_response(twiml.taken(config))
    return twiml_response(twiml.bridge(inbox, config, queue_name(call.pk), call_id=call.pk,
                                       agent_id=int(agent_id)))


@twilio_webhook(resolve_inbox)
def agent_joined(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """<Dial><Queue url>: run on the caller's side as they are bridged to the agent
    whose leg is DequeingCallSid."""
    params: dict[str, Any] = flat_params(request.POST)
    agent_id = request.GET.get("agent", "")
    if agent_id.isdigit():
        params["agent_id"] = int(agent_id)
        params["agent"] = username(int(agent_id))
    do_bridge_call(inbox, request.POST.get("CallSid", ""), params)
    return twiml_response(VoiceResponse())


@twilio_webhook(resolve_inbox)
def conference(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """The TwiML of the leg that calls a warm transfer's target into the conference."""
    call = call_named(request, inbox)
    config = voice_config(inbox)
    if call is None or not in_warm_transfer(call):
        return twiml_response(twiml.taken(config))
    return twiml_response(conference_twiml(inbox, config, call.pk, caller=False))
