"""URLs of the django-helpdesk side (bench/peers/helpdesk_settings.py)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
