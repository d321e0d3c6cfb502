from __future__ import annotations

from django.conf import settings
from django.urls import path, reverse

from channels_api.webhooks import InboundMessageView
from conversations.channels import WebhookUrl
from conversations.models import Inbox

urlpatterns = [
    path("api/v1/inbound/", InboundMessageView.as_view(), name="api-inbound"),
]


def api_webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    """Where the outside system pushes (with the inbox token as a Bearer token)."""
    return [WebhookUrl("Push messages (POST, Authorization: Bearer <inbox token>)",
                       settings.PUBLIC_URL + reverse("api-inbound"))]
