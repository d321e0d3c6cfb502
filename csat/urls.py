from __future__ import annotations

from django.urls import path

from csat import views

urlpatterns = [
    path("csat/<str:token>/", views.survey_page, name="csat-survey"),
    path("csat/<str:token>/<int:rating>/", views.rate, name="csat-rate"),
]
