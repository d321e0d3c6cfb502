"""Registers this part of the Twilio channel with the core (transports, inbox config)."""

from __future__ import annotations


def register() -> None:
    from channels_voice.messaging import tasks  # noqa: F401  (registers the Celery tasks)
    from channels_voice.messaging.inbox_config import validate_twilio_config
    from channels_voice.messaging.transport import MessagingTransport
    from conversations.channels import register_inbox_kind
    from conversations.models import Channel, InboxKind
    from conversations.transports import register_transport

    register_inbox_kind(InboxKind.TWILIO, validate_twilio_config)
    register_transport(Channel.SMS, MessagingTransport(Channel.SMS))
    register_transport(Channel.WHATSAPP, MessagingTransport(Channel.WHATSAPP))
