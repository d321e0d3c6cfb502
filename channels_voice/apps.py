from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsVoiceConfig(AppConfig):
    """Twilio voice: inbound calls (menu, queue, offers to agents, voicemail, callbacks),
    click-to-call and transfers, on a "twilio" inbox (twilio_common)."""

    name = "channels_voice"
    verbose_name = "Voice calls (Twilio)"

    def ready(self) -> None:
        from channels_voice.conf import VOICE
        from channels_voice.config import validate_voice_config
        from channels_voice.urls import voice_webhook_urls
        from conversations.channels import ChannelSpec, register_channel
        from customers.models import IdentityKind
        from twilio_common.inbox import TWILIO_INBOX, register_twilio_inbox

        register_twilio_inbox(
            self.name, sections={"voice": validate_voice_config}, urls=voice_webhook_urls
        )
        # A call is placed by click-to-call, never by a queued reply: voice has no
        # transport, and a written reply to a caller goes out as a text.
        register_channel(ChannelSpec(
            kind=VOICE, label="Voice", icon="phone", inbox_kind=TWILIO_INBOX,
            identity_kind=IdentityKind.PHONE, transport=None,
            first_response_target=timedelta(seconds=20), written_fallback="sms",
        ))
