"""Who opens the settings pages: admins only. Leads and agents get a 403 and never see
the links (ui.navigation lists "Settings" for admins alone)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from agents.access import agent_for, is_admin

View = Callable[..., HttpResponse]


def admin_page(view: View) -> View:
    """Signed in (else to the sign-in page) and an admin (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(agent_for(request.user)):
            return HttpResponse("Only admins change settings.", status=403,
                                content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return wrapped
