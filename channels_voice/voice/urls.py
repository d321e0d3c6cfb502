"""Twilio's voice webhooks, under /webhooks/twilio/voice/."""

from __future__ import annotations

from django.urls import path

from channels_voice.voice import queue_webhooks, webhooks

urlpatterns = [
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
    path("hold/", queue_webhooks.hold, name="voice-hold"),
    path("after-queue/", queue_webhooks.after_queue, name="voice-after-queue"),
    path("bridge/", queue_webhooks.bridge, name="voice-bridge"),
    path("agent-joined/", queue_webhooks.agent_joined, name="voice-agent-joined"),
    path("conference/", queue_webhooks.conference, name="voice-conference"),
]
