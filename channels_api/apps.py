from __future__ import annotations

from django.apps import AppConfig


class ChannelsApiConfig(AppConfig):
    name = "channels_api"
