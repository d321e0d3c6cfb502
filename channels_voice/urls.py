from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("webhooks/twilio/messaging/", include("channels_voice.messaging.urls")),
    path("webhooks/twilio/voice/", include("channels_voice.voice.urls")),
    path("voice/", include("channels_voice.voice.agent_urls")),
]
