from __future__ import annotations

from django.urls import path

from helpcenter import views

urlpatterns = [
    path("help/", views.home, name="help-home"),
    path("help/articles/<slug:slug>/", views.article, name="help-article"),
    path("help/<slug:slug>/", views.category, name="help-category"),
]
