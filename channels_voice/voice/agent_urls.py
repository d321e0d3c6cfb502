"""The agents' voice endpoints, under /voice/."""

from __future__ import annotations

from django.urls import path

from channels_voice.voice import views

urlpatterns = [
    path("token/", views.voice_token, name="voice-token"),
    path("softphone/", views.softphone, name="voice-softphone"),
    path("calls/", views.place_call_view, name="voice-calls"),
    path("calls/<int:interaction_id>/transfer/", views.transfer_call_view, name="voice-transfer"),
    path("calls/<int:interaction_id>/transfer/complete/", views.complete_transfer_view,
         name="voice-transfer-complete"),
    path("recordings/<int:attachment_id>/", views.recording_audio, name="voice-recording-audio"),
]
