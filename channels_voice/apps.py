from __future__ import annotations

from django.apps import AppConfig


class ChannelsVoiceConfig(AppConfig):
    """Twilio: SMS, MMS and WhatsApp messaging (messaging/) and voice calls (voice/)."""

    name = "channels_voice"
    verbose_name = "Twilio voice and messaging"

    def ready(self) -> None:
        from channels_voice.messaging.setup import register as register_messaging
        from channels_voice.voice.setup import register as register_voice

        register_messaging()
        register_voice()
