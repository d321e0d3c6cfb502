from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_chat import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("chat/widget.js", views.widget_script, name="chat-widget-js"),
    path("chat/demo/", views.demo_page, name="chat-demo"),
    path("chat/<str:key>/settings/", views.widget_settings_view, name="chat-settings"),
    path("chat/<str:key>/attachments/", views.upload_view, name="chat-upload"),
    path("chat/<str:key>/articles/", views.articles_view, name="chat-articles"),
]
