"""Registers this part of the Twilio channel with the core (transports, inbox config).

Voice needs no transport (a call is placed by click-to-call, not by a queued reply)
and its config lives under the "twilio" kind's "voice" key, validated by
channels_voice.voice.config.validate_voice_config. What it needs is its Celery tasks
registered: autodiscovery only looks at channels_voice/tasks.py.
"""

from __future__ import annotations


def register() -> None:
    from channels_voice.voice import tasks  # noqa: F401  (registers the Celery tasks)
