from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsApiConfig(AppConfig):
    """The "api" channel: outside systems push messages in and receive replies by
    signed webhook."""

    name = "channels_api"
    verbose_name = "API channel"

    def ready(self) -> None:
        import channels_api.webhooks  # noqa: F401  (registers the spool's recorder)
        from channels_api.conf import API_CHANNEL, API_INBOX
        from channels_api.config import validate_api_inbox_config
        from channels_api.transport import ApiTransport
        from channels_api.urls import api_webhook_urls
        from conversations.channels import (
            ChannelSpec,
            InboxKindSpec,
            register_channel,
            register_inbox_kind,
        )

        register_inbox_kind(InboxKindSpec(
            API_INBOX, "API", validate_api_inbox_config, api_webhook_urls
        ))
        # Replies go to the outside system, which knows its own customers: any of the
        # customer's identities names them (identity_kind None).
        register_channel(ChannelSpec(
            kind=API_CHANNEL, label="API", icon="webhook", inbox_kind=API_INBOX,
            identity_kind=None, transport=ApiTransport(),
            first_response_target=timedelta(hours=4),
        ))
