from __future__ import annotations

from django.urls import path

from channels_api.webhooks import InboundMessageView

urlpatterns = [
    path("api/v1/inbound/", InboundMessageView.as_view(), name="api-inbound"),
]
