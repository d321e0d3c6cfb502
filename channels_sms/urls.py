"""Twilio's messaging webhooks. The paths are in Twilio consoles: never change them."""

from __future__ import annotations

from django.conf import settings
from django.urls import path, reverse

from channels_sms import webhooks
from conversations.channels import WebhookUrl
from conversations.models import Inbox

urlpatterns = [
    path("webhooks/twilio/messaging/", webhooks.inbound_message, name="twilio-messaging-inbound"),
    path("webhooks/twilio/messaging/status/", webhooks.message_status,
         name="twilio-messaging-status"),
]


def messaging_webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    """What to set in Twilio's console for the number (or its Messaging Service)."""
    base = settings.PUBLIC_URL
    return [
        WebhookUrl("A message comes in (SMS, MMS, WhatsApp)",
                   base + reverse("twilio-messaging-inbound")),
        WebhookUrl("Message status callback", base + reverse("twilio-messaging-status")),
    ]
