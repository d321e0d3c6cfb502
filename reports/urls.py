from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.report, name="reports"),
    path("reports/by/<slug:by>/", views.breakdown_part, name="reports-part"),
    path("reports/export/<slug:name>.csv", views.export, name="reports-export"),
]
