from __future__ import annotations

from django.urls import path

from channels_chat.consumers import VisitorConsumer

# Served outside the agents' origin check: any site on the widget's allow-list connects
# (the consumer checks the origin against it).
websocket_urlpatterns = [
    path("ws/chat/<str:key>/", VisitorConsumer.as_asgi()),
]
