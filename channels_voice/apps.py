from __future__ import annotations

from django.apps import AppConfig


class ChannelsVoiceConfig(AppConfig):
    name = "channels_voice"
