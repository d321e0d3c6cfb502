from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsChatConfig(AppConfig):
    """Website chat: the visitor's widget and its inbox kind."""

    name = "channels_chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from channels_chat.conf import CHAT_CHANNEL, CHAT_INBOX, VISITOR_IDENTITY
        from conversations.channels import (
            ChannelSpec,
            InboxKindSpec,
            register_channel,
            register_inbox_kind,
        )
        from customers.identities import IdentityKindSpec, normalize_opaque, register_identity_kind

        register_identity_kind(IdentityKindSpec(
            VISITOR_IDENTITY, "Chat visitor", lambda v: normalize_opaque(v, VISITOR_IDENTITY),
            typed=False,
        ))
        register_inbox_kind(InboxKindSpec(CHAT_INBOX, "Chat widget"))
        register_channel(ChannelSpec(
            kind=CHAT_CHANNEL, label="Chat", icon="messages-square", inbox_kind=CHAT_INBOX,
            identity_kind=VISITOR_IDENTITY, transport=None,
            first_response_target=timedelta(seconds=40),
        ))
