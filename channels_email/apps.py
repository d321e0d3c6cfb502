from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class ChannelsEmailConfig(AppConfig):
    """Email: anymail inbound and tracking webhooks, IMAP polling, raw MIME from the
    ingest_email command, and outbound mail through anymail."""

    name = "channels_email"
    verbose_name = "Email"

    def ready(self) -> None:
        import warnings

        from anymail.exceptions import AnymailInsecureWebhookWarning
        from anymail.signals import inbound, tracking

        from channels_email.banner import email_webhook_urls
        from channels_email.conf import EMAIL_CHANNEL, EMAIL_INBOX
        from channels_email.config import validate_email_config
        from channels_email.mime_depth import cap_anymail_mime_depth
        from channels_email.transport import EmailTransport
        from channels_email.webhooks import handle_inbound, handle_tracking
        from conversations.channels import (
            ChannelSpec,
            InboxKindSpec,
            register_channel,
            register_inbox_kind,
        )
        from customers.models import IdentityKind

        register_inbox_kind(InboxKindSpec(
            EMAIL_INBOX, "Mailbox", validate_email_config, email_webhook_urls
        ))
        register_channel(ChannelSpec(
            kind=EMAIL_CHANNEL, label="Email", icon="mail", inbox_kind=EMAIL_INBOX,
            identity_kind=IdentityKind.EMAIL, transport=EmailTransport(),
            first_response_target=timedelta(hours=4),
        ))
        inbound.connect(handle_inbound, dispatch_uid="channels_email.inbound")
        tracking.connect(handle_tracking, dispatch_uid="channels_email.tracking")
        # anymail warns, then accepts, when no WEBHOOK_SECRET is set; our guard refuses
        # instead and logs why (channels_email.webhook_guard).
        warnings.filterwarnings("ignore", category=AnymailInsecureWebhookWarning)
        cap_anymail_mime_depth()
