"""The voice config of an inbox and its weekly schedule, timezone and holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_voice.config import validate_voice_config, voice_config
from channels_voice.hours import is_open

HOURS = validate_voice_config({"hours": {
    "timezone": "America/New_York",
    "weekly": {"mon": [["09:00", "12:00"], ["13:00", "17:30"]], "sat": [["10:00", "24:00"]]},
    "holidays": ["2025-12-22"],
}})["hours"]


@pytest.mark.parametrize("utc,expected", [
    (datetime(2025, 10, 13, 13, 0, tzinfo=UTC), True),  # Mon 09:00 in New York
    (datetime(2025, 10, 13, 12, 59, tzinfo=UTC), False),  # Mon 08:59
    (datetime(2025, 10, 13, 16, 30, tzinfo=UTC), False),  # Mon 12:30, lunch
    (datetime(2025, 10, 13, 21, 29, tzinfo=UTC), True),  # Mon 17:29
    (datetime(2025, 10, 13, 21, 30, tzinfo=UTC), False),  # Mon 17:30
    (datetime(2025, 10, 14, 14, 0, tzinfo=UTC), False),  # Tuesday: not in the schedule
    (datetime(2025, 10, 19, 3, 59, tzinfo=UTC), True),  # Sat 23:59 in New York
    (datetime(2025, 12, 22, 15, 0, tzinfo=UTC), False),  # a Monday, but a holiday
])
def test_is_open_follows_the_local_schedule(utc, expected):
    assert is_open(HOURS, utc) is expected


def test_no_hours_means_always_open():
    assert is_open(None, datetime(2025, 10, 14, 3, 0, tzinfo=UTC)) is True


@pytest.mark.parametrize("voice,error", [
    ({"ring_timeout": 2}, "voice.ring_timeout must be a whole number from 5 to 120"),
    ({"hours": {"timezone": "Mars/Olympus"}}, "unknown timezone 'Mars/Olympus'"),
    ({"hours": {"weekly": {"mon": [["17:00", "09:00"]]}}}, "ends before it starts"),
    ({"hours": {"weekly": {"funday": []}}}, "voice.hours.weekly must map days"),
    ({"hours": {"holidays": ["25/12/2025"]}}, "is not a date"),
    ({"menu": {"options": {"12": {"team": "a"}}}}, "must be one digit"),
    ({"menu": {"options": {"1": {"label": "Sales"}}}}, "needs a team"),
    ({"fallback_number": "call me"}, "voice.fallback_number: not a phone number"),
    ({"voicemail": "yes"}, "voice.voicemail must be true or false"),
    ({"greting": "typo"}, "unknown voice settings: greting"),
])
def test_invalid_voice_config_says_what_is_wrong(voice, error):
    with pytest.raises(ValueError, match=error):
        validate_voice_config(voice)


def test_clean_config_normalizes_numbers_and_menu():
    clean = validate_voice_config({
        "fallback_number": "+1 (415) 555-0999",
        "menu": {"options": {"1": {"team": "sales"}}},
    })
    assert clean == {"fallback_number": "+14155550999",
                     "menu": {"prompt": "", "options": {
                         "1": {"team": "sales", "label": "sales", "keywords": []}}}}


@pytest.mark.django_db
def test_broken_stored_config_falls_back_to_defaults(twilio_inbox):
    twilio_inbox.config = {**twilio_inbox.config, "voice": {"ring_timeout": "soon"}}
    config = voice_config(twilio_inbox)
    assert (config.ring_timeout, config.greeting, config.voicemail) == (
        25, "Thank you for calling.", True)
