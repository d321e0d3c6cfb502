"""The voice part of a Twilio inbox's config: Inbox.config["voice"].

The "twilio" inbox kind's validator (twilio_common.inbox) owns the whole config; this
app registers `validate_voice_config` for its "voice" section (apps.py). At call time
`voice_config(inbox)` reads it again, and a config that no longer validates falls back
to the defaults so a caller always gets an answer.

    "voice": {
      "greeting": "Thanks for calling Acme.",       # <Say>; or "greeting_url" to <Play>
      "closed_greeting": "We are closed right now.",
      "language": "en-US", "say_voice": "Polly.Joanna",
      "menu": {"prompt": "For sales press 1 or say sales.",
               "options": {"1": {"team": "sales", "label": "Sales", "keywords": ["buy"]}}},
      "hours": {"timezone": "Europe/Berlin",
                "weekly": {"mon": [["09:00", "17:00"]], ...},
                "holidays": ["2025-12-25"]},
      "ring_timeout": 25,            # agents' legs ring, and the caller holds, this long
      "hold_music_url": "https://…/music.mp3",  # <Play> in the queue; Twilio's by default
      "hold_message": "Thank you for holding.",  # <Say> each time the music starts over
      "fallback_number": "+15005550001", "fallback_numbers": {"sales": "+1…"},
      "voicemail": true, "voicemail_prompt": "…", "voicemail_max_seconds": 120,
      "offer_callback": true, "record_calls": false,
      "api_key_sid": "SK…", "twiml_app_sid": "AP…"   # secret: secrets["api_key_secret"]
    }
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from channels_voice import conf
from channels_voice.hours import validate_hours
from conversations.models import Inbox
from customers.identities import InvalidIdentity, normalize_phone

logger = logging.getLogger(__name__)

DEFAULT_GREETING = "Thank you for calling."
DEFAULT_CLOSED = "We are closed right now."
DEFAULT_VOICEMAIL_PROMPT = "Please leave a message after the tone, then hang up."
DEFAULT_HOLD_MESSAGE = "Thank you for holding. An agent will be with you shortly."

_TEXT_KEYS = ("greeting", "greeting_url", "closed_greeting", "language", "say_voice",
              "voicemail_prompt", "api_key_sid", "twiml_app_sid", "hold_music_url",
              "hold_message")
_BOOL_KEYS = ("voicemail", "offer_callback", "record_calls")


@dataclass(frozen=True)
class MenuOption:
    digit: str
    team_slug: str
    label: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class VoiceConfig:
    greeting: str = DEFAULT_GREETING
    greeting_url: str = ""
    closed_greeting: str = DEFAULT_CLOSED
    language: str = "en-US"
    say_voice: str = ""
    menu_prompt: str = ""
    menu_options: tuple[MenuOption, ...] = ()
    hours: dict[str, Any] | None = None
    ring_timeout: int = 25
    hold_music_url: str = ""
    hold_message: str = DEFAULT_HOLD_MESSAGE
    fallback_number: str = ""
    fallback_numbers: dict[str, str] = field(default_factory=dict)
    voicemail: bool = True
    voicemail_prompt: str = DEFAULT_VOICEMAIL_PROMPT
    voicemail_max_seconds: int = 120
    offer_callback: bool = True
    record_calls: bool = False
    api_key_sid: str = ""
    twiml_app_sid: str = ""

    def option(self, digit: str) -> MenuOption | None:
        return next((o for o in self.menu_options if o.digit == digit), None)

    def option_for_speech(self, speech: str) -> MenuOption | None:
        words = speech.lower()
        for option in self.menu_options:
            names = (option.label.lower(), *(k.lower() for k in option.keywords))
            if any(name and name in words for name in names):
                return option
        return None


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"voice.{name} must be a whole number from {low} to {high}")
    return value


def _phone(value: Any, name: str) -> str:
    try:
        return normalize_phone(str(value))
    except InvalidIdentity as exc:
        raise ValueError(f"voice.{name}: {exc}") from exc


def _menu(menu: Any) -> dict[str, Any]:
    if not isinstance(menu, dict):
        raise ValueError("voice.menu must be an object")
    options = menu.get("options") or {}
    if not isinstance(options, dict) or not options:
        raise ValueError("voice.menu.options must map digits to {team, label}")
    clean: dict[str, Any] = {}
    for digit, option in options.items():
        if digit not in "0123456789" or len(digit) != 1 or not isinstance(option, dict):
            raise ValueError(f"voice.menu.options: {digit!r} must be one digit with an object")
        team = str(option.get("team") or "").strip()
        if not team:
            raise ValueError(f"voice.menu.options.{digit} needs a team (slug)")
        keywords = option.get("keywords") or []
        if not isinstance(keywords, list):
            raise ValueError(f"voice.menu.options.{digit}.keywords must be a list")
        clean[digit] = {"team": team, "label": str(option.get("label") or team),
                        "keywords": [str(k) for k in keywords]}
    return {"prompt": str(menu.get("prompt") or ""), "options": clean}


def validate_voice_config(voice: Any) -> dict[str, Any]:
    """The cleaned "voice" object; ValueError says what is wrong."""
    if voice is None:
        return {}
    if not isinstance(voice, dict):
        raise ValueError("voice must be an object")
    clean: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        if key in voice:
            clean[key] = str(voice[key] or "")
    for key in _BOOL_KEYS:
        if key in voice:
            if not isinstance(voice[key], bool):
                raise ValueError(f"voice.{key} must be true or false")
            clean[key] = voice[key]
    if "ring_timeout" in voice:
        clean["ring_timeout"] = _int(voice["ring_timeout"], "ring_timeout", 5, 120)
    if "voicemail_max_seconds" in voice:
        clean["voicemail_max_seconds"] = _int(
            voice["voicemail_max_seconds"], "voicemail_max_seconds", 5, 3600
        )
    if voice.get("fallback_number"):
        clean["fallback_number"] = _phone(voice["fallback_number"], "fallback_number")
    if voice.get("fallback_numbers"):
        numbers = voice["fallback_numbers"]
        if not isinstance(numbers, dict):
            raise ValueError("voice.fallback_numbers must map team slugs to numbers")
        clean["fallback_numbers"] = {
            str(k): _phone(v, f"fallback_numbers.{k}") for k, v in numbers.items()
        }
    if voice.get("menu"):
        clean["menu"] = _menu(voice["menu"])
    if voice.get("hours"):
        clean["hours"] = validate_hours(voice["hours"])
    unknown = set(voice) - set(clean) - {"fallback_number", "fallback_numbers", "menu", "hours"}
    if unknown:
        raise ValueError(f"unknown voice settings: {', '.join(sorted(unknown))}")
    return clean


def voice_config(inbox: Inbox) -> VoiceConfig:
    try:
        clean = validate_voice_config((inbox.config or {}).get("voice"))
    except ValueError as exc:
        logger.warning("inbox %s: invalid voice config (%s); using defaults", inbox.slug, exc)
        clean = {}
    menu = clean.pop("menu", None) or {}
    options = tuple(
        MenuOption(digit, o["team"], o["label"], tuple(o["keywords"]))
        for digit, o in sorted(menu.get("options", {}).items())
    )
    clean.setdefault("ring_timeout", conf.ring_timeout_seconds())
    if not clean.get("hold_music_url"):
        clean["hold_music_url"] = conf.hold_music_url()
    for key, default in (("greeting", DEFAULT_GREETING), ("closed_greeting", DEFAULT_CLOSED),
                         ("hold_message", DEFAULT_HOLD_MESSAGE),
                         ("voicemail_prompt", DEFAULT_VOICEMAIL_PROMPT), ("language", "en-US")):
        if not clean.get(key):
            clean[key] = default
    return VoiceConfig(menu_prompt=menu.get("prompt", ""), menu_options=options, **clean)
