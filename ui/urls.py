from __future__ import annotations

from django.urls import path

from ui import views

urlpatterns = [
    path("styleguide/", views.styleguide, name="styleguide"),
    path("styleguide/workspace/", views.styleguide_workspace, name="styleguide-workspace"),
]
