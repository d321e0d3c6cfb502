"""Twilio's voice webhooks (under /webhooks/twilio/voice/, named in Twilio consoles and in
the URLs we hand Twilio: never change them) and the agents' endpoints (under /voice/)."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path, reverse

from channels_voice import views, webhooks
from conversations.channels import WebhookUrl
from conversations.models import Inbox

webhook_patterns = [
    path("", webhooks.incoming_call, name="voice-incoming"),
    path("menu/", webhooks.menu_choice, name="voice-menu"),
    path("dial/", webhooks.dial_done, name="voice-dial"),
    path("after/", webhooks.after_no_answer, name="voice-after"),
    path("recorded/", webhooks.voicemail_recorded, name="voice-recorded"),
    path("status/", webhooks.call_status, name="voice-status"),
    path("agent/", webhooks.agent_leg_status, name="voice-agent"),
    path("recording/", webhooks.recording_status, name="voice-recording"),
    path("transcription/", webhooks.transcription_done, name="voice-transcription"),
    path("outbound/", webhooks.outbound_answered, name="voice-outbound"),
    path("hold/", webhooks.hold, name="voice-hold"),
    path("after-queue/", webhooks.after_queue, name="voice-after-queue"),
    path("bridge/", webhooks.bridge, name="voice-bridge"),
    path("agent-joined/", webhooks.agent_joined, name="voice-agent-joined"),
    path("conference/", webhooks.conference, name="voice-conference"),
]

agent_patterns = [
    path("token/", views.voice_token, name="voice-token"),
    path("softphone/", views.softphone, name="voice-softphone"),
    path("calls/", views.place_call_view, name="voice-calls"),
    path("calls/<int:interaction_id>/transfer/", views.transfer_call_view, name="voice-transfer"),
    path("calls/<int:interaction_id>/transfer/complete/", views.complete_transfer_view,
         name="voice-transfer-complete"),
    path("recordings/<int:attachment_id>/", views.recording_audio, name="voice-recording-audio"),
]

urlpatterns = [
    path("webhooks/twilio/voice/", include(webhook_patterns)),
    path("voice/", include(agent_patterns)),
]


def voice_webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    """What to set in Twilio's console for the number's calls."""
    base = settings.PUBLIC_URL
    return [
        WebhookUrl("A call comes in", base + reverse("voice-incoming")),
        WebhookUrl("Call status changes", base + reverse("voice-status")),
    ]
