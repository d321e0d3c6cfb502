"""anymail's inbound and tracking webhooks for every ESP: /anymail/<esp>/inbound/ and
/anymail/<esp>/tracking/ (Mandrill: /anymail/mandrill/). See channels_email.webhooks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("anymail/", include("anymail.urls")),
]
