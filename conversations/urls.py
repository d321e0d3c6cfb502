from __future__ import annotations

from django.urls import path

from conversations import views

urlpatterns = [
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment-download"),
    path("attachments/public/<str:token>/", views.attachment_public, name="attachment-public"),
    path("interactions/<int:interaction_id>/raw/", views.raw_download, name="interaction-raw"),
]
