from __future__ import annotations

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

        from channels_email.config import validate_email_config
        from channels_email.mime_depth import cap_anymail_mime_depth
        from channels_email.transport import EmailTransport
        from channels_email.webhooks import handle_inbound, handle_tracking
        from conversations.channels import register_inbox_kind
        from conversations.models import Channel, InboxKind
        from conversations.transports import register_transport

        register_transport(Channel.EMAIL, EmailTransport())
        register_inbox_kind(InboxKind.EMAIL, validate_email_config)
        inbound.connect(handle_inbound, dispatch_uid="channels_email.inbound")
        tracking.connect(handle_tracking, dispatch_uid="channels_email.tracking")
        # anymail warns, then accepts, when no WEBHOOK_SECRET is set; our guard refuses
        # instead and logs why (channels_email.webhook_guard).
        warnings.filterwarnings("ignore", category=AnymailInsecureWebhookWarning)
        cap_anymail_mime_depth()
