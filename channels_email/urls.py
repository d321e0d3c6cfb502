"""anymail's inbound and tracking webhooks for every ESP: /anymail/<esp>/inbound/ and
/anymail/<esp>/tracking/ (Mandrill: /anymail/mandrill/). See channels_email.webhooks for
what happens to a message, channels_email.webhook_guard for who may post one and what
each failure answers."""

from __future__ import annotations

from anymail import urls as anymail_urls
from django.urls import URLPattern, URLResolver, include, path

from channels_email.webhook_guard import guarded

# Also what channels_email.limits recognizes as an email webhook (larger bodies).
WEBHOOK_PREFIX = "anymail/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(WEBHOOK_PREFIX, include((guarded(anymail_urls.urlpatterns), anymail_urls.app_name))),
]
