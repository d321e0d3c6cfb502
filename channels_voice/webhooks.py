"""Twilio's voice webhooks: verify, parse, hand over to actions, answer with TwiML.

Each answers fast: the slow parts (fetching a recording, placing and cancelling agents'
legs through Twilio's REST API) are tasks queued on commit. The call's own steps come
first, then those of a queued call: hold music, the caller leaving the queue, an
offered agent's leg answering, the caller being bridged to that agent, and the warm
transfer's conference.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from twilio.twiml.voice_response import VoiceResponse

from agents.models import Agent, Team
from channels_voice import twiml
from channels_voice.actions import (
    do_apply_call_event,
    do_record_inbound_call,
    do_update_call_meta,
    is_recorded,
)
from channels_voice.config import voice_config
from channels_voice.facts import call_facts, flat_params, int_param
from channels_voice.flow import connect, team_by_id
from channels_voice.hours import is_open
from channels_voice.offers import do_request_callback, do_take_call
from channels_voice.queue import do_bridge_call, do_leave_queue, is_waiting, queue_name
from channels_voice.ringing import target_for
from channels_voice.warm import conference_twiml, in_warm_transfer
from conversations.models import Inbox, Interaction, InteractionKind
from twilio_common.inbox import TWILIO_INBOX, inbox_for_number
from twilio_common.signature import twilio_webhook

MAX_MENU_ATTEMPTS = 3


def resolve_inbox(request: HttpRequest) -> Inbox | None:
    """The inbox our own callback URLs name, else the number Twilio says was called."""
    slug = request.GET.get("inbox")
    if slug:
        return Inbox.objects.filter(kind=TWILIO_INBOX, slug=slug, is_active=True).first()
    return inbox_for_number(request.POST.get("To", "")) or inbox_for_number(
        request.POST.get("From", "")
    )


def twiml_response(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def _ok() -> HttpResponse:
    return twiml_response(VoiceResponse())


def _interaction_hint(request: HttpRequest) -> int | None:
    try:
        return int(request.GET["interaction"])
    except (KeyError, ValueError):
        return None


def _call(inbox: Inbox, call_sid: str) -> Interaction | None:
    return Interaction.objects.filter(inbox=inbox, provider_id=call_sid).first()


@twilio_webhook(resolve_inbox)
def incoming_call(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    facts = call_facts(request.POST)
    if not facts.call_sid:
        return HttpResponseBadRequest("CallSid is missing.")
    call = do_record_inbound_call(inbox, facts, flat_params(request.POST))
    do_apply_call_event(inbox, facts.call_sid, "status", flat_params(request.POST))
    config = voice_config(inbox)
    if not is_open(config.hours, timezone.now()):
        return twiml_response(twiml.no_answer(inbox, config, team_id=inbox.team_id, closed=True))
    if config.menu_options:
        return twiml_response(twiml.welcome(inbox, config))
    response = VoiceResponse()
    twiml.greeting(response, config)
    return twiml_response(connect(response, inbox, config, call, inbox.team))


@twilio_webhook(resolve_inbox)
def menu_choice(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    call = _call(inbox, request.POST.get("CallSid", ""))
    if call is None:
        return twiml_response(twiml.hangup())
    config = voice_config(inbox)
    digits = request.POST.get("Digits", "")
    speech = request.POST.get("SpeechResult", "")
    option = config.option(digits) if digits else config.option_for_speech(speech)
    attempt = int_param(request.GET, "attempt") or 1
    if option is None and (digits or speech) and attempt < MAX_MENU_ATTEMPTS:
        response = VoiceResponse()
        response.say("Sorry, I did not get that.", language=config.language)
        twiml.menu(response, inbox, config, attempt=attempt + 1)
        return twiml_response(response)
    team = inbox.team
    if option is not None:
        team = Team.objects.filter(slug=option.team_slug).first() or inbox.team
        do_update_call_meta(inbox, call.provider_id or "", {"menu_choice": option.digit})
    return twiml_response(connect(VoiceResponse(), inbox, config, call, team))


@twilio_webhook(resolve_inbox)
def dial_done(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    call_sid = request.POST.get("CallSid", "")
    do_apply_call_event(inbox, call_sid, "dial", flat_params(request.POST))
    if request.POST.get("DialCallStatus") == "completed" or request.GET.get("outbound"):
        return twiml_response(twiml.hangup())
    config = voice_config(inbox)
    return twiml_response(twiml.no_answer(inbox, config, team_id=team_id_of(request)))


def team_id_of(request: HttpRequest) -> int | None:
    team = team_by_id(request.GET.get("team"))
    return team.pk if team is not None else None


@twilio_webhook(resolve_inbox)
def after_no_answer(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    config = voice_config(inbox)
    call_sid = request.POST.get("CallSid", "")
    if request.POST.get("Digits") == "2" and config.offer_callback:
        do_request_callback(inbox, call_sid, team_by_id(request.GET.get("team")))
        return twiml_response(twiml.goodbye(VoiceResponse(), config,
                                    "Thank you. We will call you back as soon as we can. Goodbye."))
    if config.voicemail:
        return twiml_response(twiml.voicemail(VoiceResponse(), inbox, config))
    return twiml_response(
        twiml.goodbye(VoiceResponse(), config, "Please call again later. Goodbye."))


@twilio_webhook(resolve_inbox)
def voicemail_recorded(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    do_apply_call_event(inbox, request.POST.get("CallSid", ""), "voicemail",
                        flat_params(request.POST))
    config = voice_config(inbox)
    return twiml_response(
        twiml.goodbye(VoiceResponse(), config, "Thank you for your message. Goodbye."))


@twilio_webhook(resolve_inbox)
def call_status(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    facts = call_facts(request.POST)
    if not facts.call_sid or facts.direction == "outbound-dial":
        return _ok()  # agent legs report to agent_leg_status
    if facts.is_inbound and facts.from_ and not is_recorded(inbox, facts.call_sid):
        # The status callback overtook the voice webhook (or that one failed): record
        # the call now; the unique (inbox, CallSid) keeps it one interaction.
        do_record_inbound_call(inbox, facts, flat_params(request.POST))
    do_apply_call_event(inbox, facts.call_sid, "status", flat_params(request.POST),
                        interaction_id=_interaction_hint(request))
    return _ok()


def _named_call_sid(request: HttpRequest, inbox: Inbox) -> str:
    """The CallSid of the call our URL names (?call=<interaction id>): the legs we place
    to offer a queued call are calls of their own, with no ParentCallSid."""
    call_id = request.GET.get("call", "")
    if not call_id.isdigit():
        return ""
    found = Interaction.objects.filter(pk=int(call_id), inbox=inbox).values_list(
        "provider_id", flat=True).first()
    return found or ""


@twilio_webhook(resolve_inbox)
def agent_leg_status(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    offer_of = _named_call_sid(request, inbox)
    parent_sid = offer_of or request.POST.get("ParentCallSid", "")
    if not parent_sid:
        return _ok()
    params: dict[str, Any] = flat_params(request.POST)
    agent_id = request.GET.get("agent", "")
    if agent_id.isdigit():
        params["agent_id"] = int(agent_id)
        params["agent"] = username(int(agent_id))
    if offer_of and not request.GET.get("transfer"):
        params["offer"] = True  # a warm transfer's leg counts as answered when it is
    do_apply_call_event(inbox, parent_sid, "leg", params)
    # An offer leg's agent takes the call when bridged to the caller (agent-joined/),
    # not when they answer: a colleague may have been quicker.
    if params.get("CallStatus") == "in-progress" and agent_id.isdigit() and not offer_of:
        do_take_call(inbox, parent_sid, int(agent_id))
    return _ok()


def username(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id).first()
    return user.get_username() if user is not None else ""


@twilio_webhook(resolve_inbox)
def recording_status(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    # A recording made on an agent's offer leg reports that leg's CallSid; our URL
    # names the call it belongs to.
    call_sid = _named_call_sid(request, inbox) or request.POST.get("CallSid", "")
    if call_sid and request.POST.get("RecordingSid"):
        do_apply_call_event(inbox, call_sid, "recording", flat_params(request.POST))
    return _ok()


@twilio_webhook(resolve_inbox)
def transcription_done(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    facts = call_facts(request.POST)
    if not facts.call_sid:
        return _ok()
    if facts.is_inbound and facts.from_ and not is_recorded(inbox, facts.call_sid):
        do_record_inbound_call(inbox, facts, flat_params(request.POST))
    do_apply_call_event(inbox, facts.call_sid, "transcription", flat_params(request.POST))
    return _ok()


@twilio_webhook(resolve_inbox)
def outbound_answered(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """Click-to-call: the customer picked up; connect the agent who placed the call."""
    call = do_apply_call_event(inbox, request.POST.get("CallSid", ""), "status",
                               flat_params(request.POST), interaction_id=_interaction_hint(request))
    config = voice_config(inbox)
    agent_id = request.GET.get("agent", "")
    agent = (
        Agent.objects.select_related("user").filter(user_id=int(agent_id)).first()
        if agent_id.isdigit() else None
    )
    if call is None or agent is None:
        sorry = "Sorry, this call cannot be connected."
        return twiml_response(twiml.goodbye(VoiceResponse(), config, sorry))
    response = VoiceResponse()
    twiml.dial_targets(response, inbox, config, [target_for(agent)],
                       team_id=call.conversation.team_id,
                       conversation_id=call.conversation_id, outbound=True)
    return twiml_response(response)


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
