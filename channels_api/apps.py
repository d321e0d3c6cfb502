from __future__ import annotations

from django.apps import AppConfig


class ChannelsApiConfig(AppConfig):
    """The "api" channel: outside systems push messages in and receive replies by
    signed webhook."""

    name = "channels_api"
    verbose_name = "API channel"

    def ready(self) -> None:
        from channels_api.config import validate_api_inbox_config
        from channels_api.transport import ApiTransport
        from conversations.channels import register_inbox_kind
        from conversations.models import Channel, InboxKind
        from conversations.transports import register_transport

        register_inbox_kind(InboxKind.API, validate_api_inbox_config)
        register_transport(Channel.API, ApiTransport())
