from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsSmsConfig(AppConfig):
    """Twilio messaging: SMS, MMS and WhatsApp, on a "twilio" inbox (twilio_common)."""

    name = "channels_sms"
    verbose_name = "SMS, MMS and WhatsApp (Twilio)"

    def ready(self) -> None:
        import channels_sms.actions  # noqa: F401  (registers the spool's recorder)
        from channels_sms.conf import SMS, WHATSAPP
        from channels_sms.transport import MessagingTransport
        from channels_sms.urls import messaging_webhook_urls
        from conversations.channels import ChannelSpec, register_channel
        from customers.models import IdentityKind
        from twilio_common.inbox import TWILIO_INBOX, register_twilio_inbox

        register_twilio_inbox(self.name, urls=messaging_webhook_urls)
        for kind, label, icon in ((SMS, "SMS", "smartphone"),
                                  (WHATSAPP, "WhatsApp", "message-circle")):
            register_channel(ChannelSpec(
                kind=kind, label=label, icon=icon, inbox_kind=TWILIO_INBOX,
                identity_kind=IdentityKind.PHONE, transport=MessagingTransport(kind),
                first_response_target=timedelta(hours=1),
            ))
