"""Absolute URLs of our voice webhooks, as Twilio must call (and sign) them.

Every URL we hand to Twilio names the inbox (`?inbox=<slug>`), so a callback resolves
its inbox without guessing from From/To, which differ between inbound and outbound.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from conversations.models import Inbox


def hook_url(name: str, inbox: Inbox, **params: object) -> str:
    query = urlencode({"inbox": inbox.slug, **{k: v for k, v in params.items() if v is not None}})
    return f"{settings.PUBLIC_URL}{reverse(f'voice-{name}')}?{query}"
