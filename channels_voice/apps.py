from __future__ import annotations

from django.apps import AppConfig


class ChannelsVoiceConfig(AppConfig):
    """Twilio voice: inbound calls (menu, queue, offers to agents, voicemail, callbacks),
    click-to-call and transfers, on a "twilio" inbox (twilio_common)."""

    name = "channels_voice"
    verbose_name = "Voice calls (Twilio)"

    def ready(self) -> None:
        from channels_voice.config import validate_voice_config
        from twilio_common.inbox import register_twilio_inbox

        # A call is placed by click-to-call, never by a queued reply: voice registers
        # no transport, only its section of the shared inbox config.
        register_twilio_inbox({"voice": validate_voice_config})
