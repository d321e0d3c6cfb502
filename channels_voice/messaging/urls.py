from __future__ import annotations

from django.urls import path

from channels_voice.messaging import webhooks

urlpatterns = [
    path("", webhooks.inbound_message, name="twilio-messaging-inbound"),
    path("status/", webhooks.message_status, name="twilio-messaging-status"),
]
