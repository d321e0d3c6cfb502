from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsChatConfig(AppConfig):
    """Website chat: the visitor's widget and its inbox kind."""

    name = "channels_chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from channels_chat.actions import do_agent_typing
        from channels_chat.conf import CHAT_CHANNEL, CHAT_INBOX, VISITOR_IDENTITY
        from channels_chat.transport import ChatTransport
        from channels_chat.widget import embed_code, validate_chat_config
        from conversations import hooks
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
        register_inbox_kind(InboxKindSpec(
            CHAT_INBOX, "Chat widget", validate_chat_config, embed_code=embed_code,
        ))
        register_channel(ChannelSpec(
            kind=CHAT_CHANNEL, label="Chat", icon="messages-square", inbox_kind=CHAT_INBOX,
            identity_kind=VISITOR_IDENTITY, transport=ChatTransport(),
            first_response_target=timedelta(seconds=40),
        ))
        if do_agent_typing not in hooks.agent_typing:
            hooks.agent_typing.append(do_agent_typing)
