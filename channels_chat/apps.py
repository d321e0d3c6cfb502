from __future__ import annotations

from django.apps import AppConfig


class ChannelsChatConfig(AppConfig):
    name = "channels_chat"
