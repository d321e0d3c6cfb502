"""Sending SMS, MMS and WhatsApp replies through Twilio's Messages API."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from twilio.base.exceptions import TwilioException

from channels_sms.conf import SMS, WHATSAPP
from channels_sms.optout import check_not_opted_out
from channels_sms.senders import channel_address, sender_number
from channels_sms.window import check_window, template_of
from conversations.links import public_attachment_url
from conversations.models import Conversation, Inbox, Interaction, Status
from conversations.transports import ProviderResult, TransportError
from twilio_common.client import twilio_client
from twilio_common.errors import provider_error
from twilio_common.inbox import has_capability


def status_callback_url(interaction: Interaction) -> str:
    # The interaction id lets a status callback that outruns our own "sent" bookkeeping
    # still find its message (see webhooks.message_status).
    path = reverse("twilio-messaging-status")
    return f"{settings.PUBLIC_URL}{path}?interaction={interaction.pk}"


class MessagingTransport:
    """The transport of the "sms" or "whatsapp" channel."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def check_reply(
        self, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
    ) -> None:
        self._check(inbox, recipient, meta, has_media=False)

    def send(self, interaction: Interaction) -> ProviderResult:
        inbox = interaction.inbox
        recipient = str(interaction.meta.get("to") or "")
        if inbox is None or not recipient:
            raise TransportError("The message has no Twilio inbox or recipient.", permanent=True)
        media = _media_urls(interaction)
        # Checked again: a STOP may have arrived, or the window closed, since queueing.
        self._check(inbox, recipient, interaction.meta, has_media=bool(media))
        try:
            message = twilio_client(inbox).messages.create(
                **self._message_params(interaction, inbox, recipient, media)
            )
        except requests.Timeout as exc:
            if isinstance(exc, requests.ConnectTimeout):  # nothing reached Twilio
                raise provider_error(exc) from exc
            # The request went out; Twilio may have accepted it. Retrying could text the
            # customer twice, so an agent decides.
            raise TransportError(
                "Twilio did not answer in time; the message may or may not have been sent. "
                "Check the customer's phone or Twilio's log before resending.",
                permanent=True,
            ) from exc
        except (TwilioException, requests.RequestException) as exc:
            raise provider_error(exc) from exc
        return ProviderResult(provider_id=message.sid, status=Status.SENT)

    def _check(
        self, inbox: Inbox, recipient: str, meta: dict[str, Any], *, has_media: bool
    ) -> None:
        label = "WhatsApp" if self.channel == WHATSAPP else "SMS"
        if not has_capability(inbox.config, self.channel):
            raise TransportError(
                f"The inbox {inbox.name} is not set up for {label}.", permanent=True
            )
        if has_media and self.channel == SMS and not has_capability(inbox.config, "mms"):
            raise TransportError(
                f"The inbox {inbox.name} cannot send attachments (no MMS).", permanent=True
            )
        scope = sender_number(inbox, self.channel)
        check_not_opted_out(recipient, channel=self.channel, scope=scope)
        if self.channel == WHATSAPP:
            check_window(inbox, recipient, meta)

    def _message_params(
        self, interaction: Interaction, inbox: Inbox, recipient: str, media: list[str]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "to": channel_address(self.channel, recipient),
            "status_callback": status_callback_url(interaction),
        }
        service_sid = inbox.config.get("messaging_service_sid")
        if self.channel == SMS and service_sid:
            params["messaging_service_sid"] = service_sid
        else:
            params["from_"] = channel_address(self.channel, sender_number(inbox, self.channel))
        template = template_of(interaction.meta) if self.channel == WHATSAPP else None
        if template is not None:
            params["content_sid"] = template.content_sid
            if template.variables:
                params["content_variables"] = json.dumps(template.variables)
        else:
            params["body"] = interaction.text or strip_tags(interaction.html)
        if media:
            params["media_url"] = media
        return params


def _media_urls(interaction: Interaction) -> list[str]:
    """Signed, expiring links to the reply's attachments: Twilio downloads them from us
    without signing in, and nobody else can guess them."""
    return [public_attachment_url(a) for a in interaction.attachments.all() if a.file]

