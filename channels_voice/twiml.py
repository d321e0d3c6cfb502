"""The TwiML of every voice step, built with the twilio library. Pure: no database.

The caller's path: greeting -> menu (<Gather> digits or speech) -> <Enqueue> with hold
music while agents' legs ring (the bridge step <Dial><Queue>s the caller) -> on a
timeout, "press 1 for voicemail, press 2 and we call you back" -> <Record> with
transcription. With nobody online: <Dial> the team's fallback number, else voicemail.
See channels_voice.flow for the whole design.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from channels_voice.config import VoiceConfig
from channels_voice.links import hook_url
from channels_voice.ringing import RingTarget
from conversations.models import Inbox

LEG_EVENTS = "initiated ringing answered completed"


def _say(verb: VoiceResponse | Gather, config: VoiceConfig, text: str) -> None:
    verb.say(text, voice=config.say_voice or None, language=config.language)


def greeting(response: VoiceResponse, config: VoiceConfig, *, closed: bool = False) -> None:
    if closed:
        _say(response, config, config.closed_greeting)
    elif config.greeting_url:
        response.play(config.greeting_url)
    else:
        _say(response, config, config.greeting)


def menu_prompt(config: VoiceConfig) -> str:
    if config.menu_prompt:
        return config.menu_prompt
    return " ".join(f"For {o.label}, press {o.digit}." for o in config.menu_options)


def menu(response: VoiceResponse, inbox: Inbox, config: VoiceConfig, attempt: int = 1) -> None:
    gather = response.gather(
        input="dtmf speech",
        num_digits=1,
        timeout=5,
        action=hook_url("menu", inbox, attempt=attempt),
        method="POST",
        language=config.language,
        hints=", ".join(o.label for o in config.menu_options),
    )
    _say(gather, config, menu_prompt(config))
    # No input: Twilio falls through to here, and the menu step sends the caller on
    # to the inbox's own team.
    response.redirect(hook_url("menu", inbox, attempt=attempt, choice="none"), method="POST")


def welcome(inbox: Inbox, config: VoiceConfig) -> VoiceResponse:
    response = VoiceResponse()
    greeting(response, config)
    menu(response, inbox, config)
    return response


def dial_targets(
    response: VoiceResponse,
    inbox: Inbox,
    config: VoiceConfig,
    targets: list[RingTarget],
    *,
    team_id: int | None,
    conversation_id: int | None,
    outbound: bool = False,
    caller_id: str | None = None,
) -> Dial:
    """Ring every target at once; the <Dial> action hears how it ended."""
    dial = response.dial(
        timeout=config.ring_timeout,
        action=hook_url("dial", inbox, team=team_id, outbound=1 if outbound else None),
        method="POST",
        answer_on_bridge=True,
        caller_id=caller_id,
        record="record-from-answer-dual" if config.record_calls else None,
        recording_status_callback=hook_url("recording", inbox) if config.record_calls else None,
    )
    for target in targets:
        callback = hook_url("agent", inbox, agent=target.user_id)
        if target.phone:
            dial.number(target.phone, status_callback_event=LEG_EVENTS,
                        status_callback=callback, status_callback_method="POST")
            continue
        client = dial.client(status_callback_event=LEG_EVENTS, status_callback=callback,
                             status_callback_method="POST")
        client.identity(target.identity)
        # Handed to the browser SDK with the incoming call, so the softphone can open
        # the conversation the call belongs to.
        if conversation_id is not None:
            client.parameter(name="conversation_id", value=str(conversation_id))
    return dial


def enqueue(
    response: VoiceResponse, inbox: Inbox, queue: str, *, call_id: int, team_id: int | None
) -> VoiceResponse:
    """Hold in the call's queue; the hold step plays music and decides when to leave."""
    response.enqueue(
        queue,
        wait_url=hook_url("hold", inbox, call=call_id),
        wait_url_method="POST",
        action=hook_url("after-queue", inbox, call=call_id, team=team_id),
        method="POST",
    )
    return response


def hold(config: VoiceConfig, queue_time: int) -> VoiceResponse:
    """The <Enqueue waitUrl> document. Twilio asks for it again each time it has
    played to its end, with QueueTime: that is when the ring timeout is checked. The
    music plays once (loop=1) rather than forever so that Twilio does come back."""
    response = VoiceResponse()
    if queue_time >= config.ring_timeout:
        response.leave()  # on to the <Enqueue action>: voicemail or a callback
        return response
    _say(response, config, config.hold_message)
    response.play(config.hold_music_url, loop=1)
    return response


def bridge(inbox: Inbox, config: VoiceConfig, queue: str, *, call_id: int,
           agent_id: int) -> VoiceResponse:
    """An offered agent answered their leg: take the caller out of the queue. A short
    Dial timeout, because on an empty queue Twilio would wait for the next caller."""
    response = VoiceResponse()
    dial = response.dial(
        timeout=5,
        record="record-from-answer-dual" if config.record_calls else None,
        recording_status_callback=(
            hook_url("recording", inbox, call=call_id) if config.record_calls else None),
    )
    dial.queue(queue, url=hook_url("agent-joined", inbox, call=call_id, agent=agent_id),
               method="POST")
    response.hangup()
    return response


def taken(config: VoiceConfig) -> VoiceResponse:
    """The agent answered too late: a colleague has the caller, or they hung up."""
    return goodbye(VoiceResponse(), config, "This call has already been answered or ended.")


def no_answer(
    inbox: Inbox,
    config: VoiceConfig,
    *,
    team_id: int | None,
    closed: bool = False,
    response: VoiceResponse | None = None,
) -> VoiceResponse:
    """Nobody answered (or the line is closed): voicemail or a callback request."""
    response = response if response is not None else VoiceResponse()
    if closed:
        greeting(response, config, closed=True)
    if config.offer_callback:
        gather = response.gather(
            input="dtmf", num_digits=1, timeout=6,
            action=hook_url("after", inbox, team=team_id), method="POST",
        )
        options = "press 1 to leave a message, or " if config.voicemail else ""
        _say(gather, config, f"Nobody can take your call right now. Please {options}"
                             "press 2 and we will call you back.")
    if config.voicemail:
        voicemail(response, inbox, config)
    else:
        goodbye(response, config, "Please call again later. Goodbye.")
    return response


def voicemail(response: VoiceResponse, inbox: Inbox, config: VoiceConfig) -> VoiceResponse:
    _say(response, config, config.voicemail_prompt)
    response.record(
        max_length=config.voicemail_max_seconds,
        play_beep=True,
        finish_on_key="#",
        action=hook_url("recorded", inbox),
        method="POST",
        transcribe=True,
        transcribe_callback=hook_url("transcription", inbox),
        recording_status_callback=hook_url("recording", inbox),
        recording_status_callback_event="completed absent",
    )
    # Reached only when nothing was recorded (Twilio then skips the action).
    goodbye(response, config, "We did not hear a message. Goodbye.")
    return response


def goodbye(response: VoiceResponse, config: VoiceConfig, text: str) -> VoiceResponse:
    _say(response, config, text)
    response.hangup()
    return response


def hangup() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response
