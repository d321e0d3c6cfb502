from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from omnidesk import views
from ui.views import PasswordResetView

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Providers' webhooks first: most requests are theirs, and each prefix is their own
    # (api/v1/inbound/, anymail/, webhooks/twilio/), so nothing after them is shadowed.
    path("", include("channels_api.urls")),
    path("", include("channels_email.urls")),
    path("", include("channels_sms.urls")),
    path("", include("channels_voice.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", views.api_schema, name="schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    path("", include("workspace.urls")),
    path("", include("ui.urls")),
    path("", include("consoles.urls")),
    path("", include("reports.urls")),
    path("", include("csat.urls")),
    path("", include("conversations.urls")),
    path("", include("channels_chat.urls")),
    path("", include("helpcenter.urls")),
]
