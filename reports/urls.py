from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.report, name="reports"),
    path("reports/export/<slug:name>.csv", views.export, name="reports-export"),
]
