from __future__ import annotations

from django.apps import AppConfig


class ChannelsSmsConfig(AppConfig):
    """Twilio messaging: SMS, MMS and WhatsApp, on a "twilio" inbox (twilio_common)."""

    name = "channels_sms"
    verbose_name = "SMS, MMS and WhatsApp (Twilio)"

    def ready(self) -> None:
        from channels_sms.transport import MessagingTransport
        from conversations.models import Channel
        from conversations.transports import register_transport
        from twilio_common.inbox import register_twilio_inbox

        register_twilio_inbox()
        register_transport(Channel.SMS, MessagingTransport(Channel.SMS))
        register_transport(Channel.WHATSAPP, MessagingTransport(Channel.WHATSAPP))
