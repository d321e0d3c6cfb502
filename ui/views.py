"""The living style guide and the password-reset view that mails the canonical URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ui import styleguide as samples
from ui.icons import SLA_STATES, channel_styles, sprite_icons
from ui.navigation import may_see_styleguide


@login_required
def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component in every state, in both themes (leads, admins, Django staff)."""
    if not may_see_styleguide(request.user):
        raise PermissionDenied
    context = {
        "channels": list(channel_styles()),
        "sla_states": list(SLA_STATES),
        "icons": sorted(sprite_icons()),
        **samples.context(),
    }
    return render(request, "ui/styleguide.html", context)


@login_required
def styleguide_workspace(request: HttpRequest) -> HttpResponse:
    """The three-pane layout filled with sample content, as the workspace will use it."""
    if not may_see_styleguide(request.user):
        raise PermissionDenied
    pane = request.GET.get("pane", "main")
    context = {"pane": pane if pane in ("list", "main", "side") else "main", **samples.context()}
    return render(request, "ui/styleguide_workspace.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the link built on PUBLIC_URL rather than the request's Host."""

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {
            **(self.extra_email_context or {}), "public_url": settings.PUBLIC_URL,
        }
        return super().form_valid(form)
