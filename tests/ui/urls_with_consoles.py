"""The real URLs plus stand-ins for the consoles that are not built yet, so the
navigation's role rules can be checked before those pages land."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from omnidesk.urls import urlpatterns as real


def _page(request: object) -> HttpResponse:
    return HttpResponse("stand-in")


urlpatterns = [
    path("queues/", _page, name="queues"),
    path("reports/", _page, name="reports"),
    path("settings/", _page, name="settings"),
    *real,
]
