"""Twilio's messaging webhooks. The paths are in Twilio consoles: never change them."""

from __future__ import annotations

from django.urls import path

from channels_sms import webhooks

urlpatterns = [
    path("webhooks/twilio/messaging/", webhooks.inbound_message, name="twilio-messaging-inbound"),
    path("webhooks/twilio/messaging/status/", webhooks.message_status,
         name="twilio-messaging-status"),
]
