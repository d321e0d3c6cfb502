"""Every websocket route, gathered from the apps that serve one."""

from __future__ import annotations

from realtime.urls import websocket_urlpatterns as agent_routes

websocket_urlpatterns = [*agent_routes]
