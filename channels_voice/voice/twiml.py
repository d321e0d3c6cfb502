"""The TwiML of every voice step, built with the twilio library. Pure: no database.

The caller's path: greeting -> menu (<Gather> digits or speech) -> <Dial> to the
agents' browser clients or phones, all at once, with a ring timeout -> on no answer,
"press 1 for voicemail, press 2 and we call you back" -> <Record> with transcription.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from channels_voice.voice.config import VoiceConfig
from channels_voice.voice.links import hook_url
from channels_voice.voice.ringing import RingTarget
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
